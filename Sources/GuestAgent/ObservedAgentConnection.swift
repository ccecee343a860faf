import QMP
import Logging
import QMPWire

/// An agent connection that shows what passes through it to a message observer and a wire logger: for a relay
/// (libvirt's `virDomainQemuAgentCommand`) whose own wire the client never sees. Each command is shown as the
/// request it stands for and its answer as a reply, in the forms ``GuestAgentClient`` shows for a socket.
final class ObservedAgentConnection: GuestAgentConnection {
    private let inner: any GuestAgentConnection
    private let wire: AgentWire

    /// `connection` itself when `configuration` has no observer and no `trace` logger, else a wrapper.
    static func wrapping(_ connection: any GuestAgentConnection, configuration: GuestAgentClient.Configuration)
        -> any GuestAgentConnection
    {
        guard let wire = AgentWire(configuration) else { return connection }
        return ObservedAgentConnection(connection, wire: wire)
    }

    private init(_ inner: any GuestAgentConnection, wire: AgentWire) {
        self.inner = inner
        self.wire = wire
    }

    var endpoint: String { inner.endpoint }

    func execute(_ command: String, arguments: JSONObject?, timeout: Duration?) async throws -> JSON {
        observe(.sent, Self.request(command, arguments))
        do {
            let value = try await inner.execute(command, arguments: arguments, timeout: timeout)
            observe(.received, ["return": value])
            return value
        } catch let error as QMPError {
            observe(.received, ["error": ["class": .string(error.errorClass.rawValue), "desc": .string(error.message)]])
            throw error
        }
    }

    func executeEndingConnection(_ command: String, arguments: JSONObject?, timeout: Duration?) async throws {
        observe(.sent, Self.request(command, arguments))
        try await inner.executeEndingConnection(command, arguments: arguments, timeout: timeout)
    }

    func close() async { await inner.close() }

    private static func request(_ command: String, _ arguments: JSONObject?) -> JSON {
        var request: JSONObject = ["execute": .string(command)]
        if let arguments, !arguments.isEmpty { request["arguments"] = .object(arguments) }
        return .object(request)
    }

    private func observe(_ direction: QMPClient.MessageDirection, _ message: JSON) {
        wire.observe(direction, message, endpoint: endpoint)
    }
}

/// Where an agent connection's messages go: the configuration's observer and, at `trace` level, its logger.
struct AgentWire: Sendable {
    let observer: (@Sendable (QMPClient.MessageDirection, JSON) -> Void)?
    /// The configured logger when it logs at `trace` level.
    let logger: Logger?

    /// `nil` when no one looks at the wire (no observer, and no logger at `trace` level).
    init?(_ configuration: GuestAgentClient.Configuration) {
        observer = configuration.messageObserver
        logger = configuration.logger.flatMap { $0.logLevel <= .trace ? $0 : nil }
        if observer == nil && logger == nil { return nil }
    }

    /// Hands a message to the observer and the logger (redacted there). Never call it under a lock.
    func observe(_ direction: QMPClient.MessageDirection, _ message: JSON, endpoint: String) {
        observer?(direction, message)
        logger?.trace("qga \(direction.rawValue)", metadata: [
            "qga.direction": .string(direction.rawValue),
            "qga.message": .string(Redaction.redact(message).serialized()),
            "qga.endpoint": .string(endpoint),
        ])
    }
}
