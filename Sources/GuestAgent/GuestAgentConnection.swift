public import QMP

/// A connection to a guest agent, however it is reached: its socket (``GuestAgentClient``) or a relay such as
/// libvirt's `virDomainQemuAgentCommand`. The typed commands (``GuestAgentConnection/ping(timeout:)`` and the
/// rest) are built on these three requirements.
///
/// Failures are the same types the QMP client uses: an agent error is a `QMPError` (class and description),
/// a call without an answer in time is a `QMPTimeoutError`, and a lost agent is a `QMPConnectionError`.
public protocol GuestAgentConnection: AnyObject, Sendable {
    /// Where the agent is, for messages (e.g. `qga:/run/guest/qga.sock`).
    var endpoint: String { get }

    /// Runs one agent command and returns its `return` value. `timeout` nil: the connection's default.
    func execute(_ command: String, arguments: JSONObject?, timeout: Duration?) async throws -> JSON

    /// Runs a command that answers only when it fails and otherwise ends the connection (`guest-shutdown`,
    /// `guest-suspend-*`). Returns once the connection ended or no error came within a short grace period.
    func executeEndingConnection(_ command: String, arguments: JSONObject?, timeout: Duration?) async throws

    /// Closes the connection; calls still waiting fail with `QMPConnectionError` (`closedByClient`).
    func close() async
}

extension GuestAgentConnection {
    /// Runs one agent command with the connection's default time limit.
    public func execute(_ command: String, arguments: JSONObject? = nil) async throws -> JSON {
        try await execute(command, arguments: arguments, timeout: nil)
    }
}

/// Agent commands that never answer on success: the guest goes away (or sleeps) and the connection ends.
public enum GuestAgentCommands {
    /// Commands whose success is the end of the connection.
    public static let endingConnection: Set<String> = [
        "guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid",
    ]
}
