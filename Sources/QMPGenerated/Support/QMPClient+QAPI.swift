public import QMP
import QMPWire

extension QMPClient {
    /// Whether the connected QEMU has the command, from its live command list (`query-commands`).
    ///
    /// ```swift
    /// if QAPI.SnapshotSave.qapiInfo.isAvailable(in: client.greeting.version),
    ///    try await client.supports(QAPI.SnapshotSave.self) { ... }
    /// ```
    public func supports<Command: QAPICommand>(_ command: Command.Type) async throws -> Bool {
        let list = try await execute("query-commands")
        return list.arrayValue?.contains { $0["name"]?.stringValue == Command.name } ?? false
    }
}
