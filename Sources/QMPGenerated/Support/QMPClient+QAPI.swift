public import QMP
import QMPWire

extension QMPClient {
    /// Whether the connected QEMU has the command, from its live command list (`query-commands`).
    ///
    /// ```swift
    /// if QAPI.SnapshotSave.qapiInfo.isAvailable(in: client.greeting.version),
    ///    try await client.supports(QAPI.SnapshotSave.self) { ... }
    /// ```
    public nonisolated(nonsending) func supports<Command: QAPICommand>(_ command: Command.Type) async throws -> Bool {
        let list = try await execute("query-commands")
        return list.arrayValue?.contains { $0["name"]?.stringValue == Command.name } ?? false
    }

    /// Runs a generated command and returns its typed reply.
    ///
    /// The arguments go out as they are (``QAPICommand/arguments``) and the reply is read straight from its JSON,
    /// with no `Codable` pass either way, so a typed call costs about what a raw `execute(_:arguments:)` does
    /// (`qmpkit-bench typed` measures it). Like the untyped `execute`, it runs in its caller's isolation
    /// (`nonisolated(nonsending)`): no hop to the client actor and back.
    ///
    /// - Throws: what `execute(_:arguments:)` throws, and `QMPResponseDecodingError` when the reply lacks a member
    ///   every QEMU of the supported range sends.
    public nonisolated(nonsending) func execute<Command: QAPICommand>(
        _ command: Command, fileDescriptors: [Int32] = [], timeout: Duration? = nil
    ) async throws -> Command.Response where Command.Response: QAPIValue {
        let value = try await execute(
            Command.name, arguments: command.wireArguments, fileDescriptors: fileDescriptors, timeout: timeout)
        if let reply = Command.Response(qapiJSON: value) { return reply }
        // The decoder's path names what is missing or of the wrong shape.
        do {
            _ = try JSONValueDecoder().decode(Command.Response.self, from: value)
        } catch {
            throw QMPResponseDecodingError(command: Command.name, reason: "\(error)", value: value)
        }
        throw QMPResponseDecodingError(command: Command.name, reason: "the reply has another shape", value: value)
    }

    /// Runs a generated command whose reply is empty (`{}`), sending its arguments as they are.
    @discardableResult
    public nonisolated(nonsending) func execute<Command: QAPICommand>(
        _ command: Command, fileDescriptors: [Int32] = [], timeout: Duration? = nil
    ) async throws -> QMPEmpty where Command.Response == QMPEmpty {
        _ = try await execute(
            Command.name, arguments: command.wireArguments, fileDescriptors: fileDescriptors, timeout: timeout)
        return QMPEmpty()
    }
}

extension QAPICommand {
    /// The request's `arguments`: none when there are none (QMP takes both; without, the client reuses the bytes
    /// of the last such request, as a raw `execute(name)` does).
    var wireArguments: JSON? { arguments.isEmpty ? nil : .object(arguments) }
}
