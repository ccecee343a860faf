public import QMP
public import QMPWire
import Synchronization

/// Redacts the messages of several monitors for a wire log (`-v`, a transcript): each monitor's conversation
/// through its own `Redaction.ReplyTracker`, so the reply of a command that reads a secret is hidden too.
/// Messages of one monitor must come in wire order (a message observer gives them so).
public final class WireRedactor: Sendable {
    private let trackers = Mutex<[String: Redaction.ReplyTracker]>([:])

    /// A redactor that has seen no message yet.
    public init() {}

    /// `message`, which went `direction` on `monitor`'s connection, with its secrets replaced.
    public func redact(monitor: String, direction: QMPClient.MessageDirection, message: JSON) -> JSON {
        trackers.withLock { trackers in
            direction == .sent
                ? trackers[monitor, default: .init()].sent(message) : trackers[monitor, default: .init()].received(message)
        }
    }
}
