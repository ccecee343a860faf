#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP
import QMPWire

/// `qmpsh migrate SRC DST`: moves a running guest to a QEMU on this host that waits with `-incoming defer`
/// (`qmpsh boot ... --incoming`), or saves it to a file for `qmpsh boot --from-snapshot FILE`.
///
/// The stream goes over a Unix socket in a private (0700) folder. The source ends `postmigrate` and is told to
/// `quit` unless ``keepSource``. Progress comes from `Migration.progress(every:)`, with the convergence help on.
public struct MigrationOperation: Sendable {
    /// Where the guest goes.
    public enum Destination: Sendable {
        /// A QEMU waiting for an incoming migration.
        case monitor(QMPClient)
        /// A file (created 0600, must not exist) holding the saved state.
        case file(String)
    }

    /// Leave the source QEMU running (paused in `postmigrate`) instead of sending it `quit` after success.
    public var keepSource: Bool
    /// How long the migration may take before it is cancelled and ``run(from:to:progress:)`` throws.
    public var timeout: Duration
    /// How to help a migration that does not converge; nil leaves `downtime-limit` and the mode alone.
    public var convergence: Migration.Convergence?

    /// A migration with these settings: by default the source quits, the migration may take an hour, and
    /// the default convergence help is on.
    public init(keepSource: Bool = false, timeout: Duration = .seconds(3600), convergence: Migration.Convergence? = Migration.Convergence()) {
        self.keepSource = keepSource
        self.timeout = timeout
        self.convergence = convergence
    }

    /// Runs the migration; `progress` gets every report. Returns the final `query-migrate` figures.
    public func run(
        from source: QMPClient, to destination: Destination, progress: (MigrationProgress) -> Void
    ) async throws -> MigrationInfo {
        let sourceStatus = try await source.execute(QueryStatus()).status
        guard sourceStatus == .running || sourceStatus == .paused else {
            throw QMPUsageError("the source guest is \(sourceStatus.rawValue), not running: nothing to migrate")
        }
        var options = Migration.Options()
        options.convergence = convergence
        let info: MigrationInfo
        switch destination {
        case .monitor(let target):
            let status = try await target.execute(QueryStatus()).status
            guard status == .inMigrate else {
                throw QMPUsageError("the destination is \(status.rawValue), not waiting for a migration: start it with `qmpsh boot ... --incoming`")
            }
            var template = Array("/tmp/qmpkit-migrate.XXXXXX".utf8CString)
            guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
                throw QMPUsageError("cannot create a private folder for the migration socket: \(String(cString: strerror(errno)))")
            }
            let socket = folder + "/migrate.sock"
            defer {
                unlink(socket)
                rmdir(folder)
            }
            let cursor = try await Migration.prepareIncoming(on: target, uri: "unix:" + socket)
            let migration = try await Migration.start(to: "unix:" + socket, on: source, options: options)
            info = try await follow(migration, progress: progress)
            try await Migration.waitForIncoming(on: target, since: cursor, timeout: .seconds(120))
        case .file(let path):
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw QMPUsageError("cannot create '\(path)': \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            _ = try await source.execute(GetFd(fdname: "qmpkit-migrate"), fileDescriptors: [descriptor])
            options.convergence = nil
            let migration = try await Migration.start(to: "fd:qmpkit-migrate", on: source, options: options)
            info = try await follow(migration, progress: progress)
        }
        if !keepSource { _ = try? await source.execute("quit", timeout: .seconds(5)) }
        return info
    }

    private func follow(_ migration: Migration, progress: (MigrationProgress) -> Void) async throws -> MigrationInfo {
        do {
            for try await report in migration.progress() { progress(report) }
            return try await migration.waitForCompletion(timeout: timeout)
        } catch is CancellationError {
            try? await migration.cancel(timeout: .seconds(30))
            throw CancellationError()
        }
    }
}
