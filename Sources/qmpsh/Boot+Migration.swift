import ArgumentParser
import QEMURunner

extension Boot {
    /// Boots, starts as a migration destination (--incoming), or restores a saved state (--from-snapshot).
    func launchGuest(_ configuration: MachineConfiguration, options: Guest.Options) async throws -> Guest {
        if incoming && fromSnapshot != nil { throw ValidationError("--incoming and --from-snapshot exclude each other") }
        if let fromSnapshot { return try await Guest.launch(configuration, restoring: fromSnapshot, options: options) }
        if incoming { return try await Guest.launchIncoming(configuration, options: options) }
        return try await Guest.launch(configuration, options: options)
    }
}
