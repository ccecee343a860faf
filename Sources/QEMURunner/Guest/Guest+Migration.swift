#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QMP

// Migration targets and fast starts from a saved state (issue 17). Everything here goes through
// `-incoming defer` added to the configuration's extra arguments, so the argument builder is untouched.

extension Guest {
    /// The arguments that make QEMU wait for an incoming migration, to be started with `migrate-incoming`.
    public static let incomingDeferArguments = ["-incoming", "defer"]

    /// Starts QEMU as a migration destination (`-incoming defer`): the monitor answers, the guest does not run
    /// until an incoming migration (`Migration.prepareIncoming(on:uri:capabilities:)`) has completed.
    /// The configuration must match the source's (memory, devices, kernel).
    public static func launchIncoming(_ configuration: MachineConfiguration, options: Options = Options()) async throws -> Guest {
        var configuration = configuration
        configuration.extraArguments += incomingDeferArguments
        return try await launch(configuration, options: options)
    }

    /// Starts a guest from a state saved with ``saveState(to:timeout:)`` instead of booting it: QEMU starts with
    /// `-incoming defer` and reads the file through a descriptor passed over the monitor. Returns once the
    /// guest runs (RESUME). `configuration` must be the one the state was saved from.
    ///
    /// - Throws: ``RunnerError`` when the file cannot be opened, `MigrationFailedError` when QEMU rejects the
    ///   state (QEMU's error text).
    public static func launch(
        _ configuration: MachineConfiguration, restoring path: String, options: Options = Options(),
        timeout: Duration = .seconds(60)
    ) async throws -> Guest {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RunnerError(.io, "cannot open the saved state '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let guest = try await launchIncoming(configuration, options: options)
        do {
            _ = try await guest.client.execute(GetFd(fdname: "qmpkit-restore"), fileDescriptors: [descriptor])
            let cursor = try await Migration.prepareIncoming(on: guest.client, uri: "fd:qmpkit-restore")
            try await Migration.waitForIncoming(on: guest.client, since: cursor, timeout: timeout)
            return guest
        } catch {
            await guest.shutdown()
            throw error
        }
    }

    /// Saves the running guest's whole state (RAM and devices) to `path` as a migration stream, for
    /// ``launch(_:restoring:options:timeout:)``. The guest is left paused (`postmigrate`); disks are not saved,
    /// so a restored guest must see the same disk contents. The file is created with mode 0600.
    public func saveState(to path: String, timeout: Duration = .seconds(120)) async throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RunnerError(.io, "cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        _ = try await client.execute(GetFd(fdname: "qmpkit-save"), fileDescriptors: [descriptor])
        let migration = try await Migration.start(to: "fd:qmpkit-save", on: client)
        try await migration.waitForCompletion(timeout: timeout)
    }
}
