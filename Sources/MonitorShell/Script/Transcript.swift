#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP
import QMPWire
import Synchronization

/// Writes every QMP message sent and received to a file as JSON lines, secrets redacted (``Redaction``):
/// `{"time": 1764072000.123456, "monitor": "/tmp/qmp.sock", "direction": "sent", "message": {...}}`.
///
/// The file is created with mode 0600 (it shows what was done to a guest) and truncated. Lines are written whole
/// with one `write` each, so several monitors can share one transcript.
public final class TranscriptWriter: Sendable {
    private let descriptor: Mutex<Int32>
    /// The file's path.
    public let path: String

    /// Creates (or truncates) `path`. Throws ``TranscriptError`` when it cannot be opened.
    public init(path: String) throws(TranscriptError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TranscriptError("cannot write the transcript \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.descriptor = Mutex(fd)
    }

    deinit { descriptor.withLock { if $0 >= 0 { _ = Glibc.close($0) } } }

    /// An observer for ``QMPClient/Configuration/messageObserver`` that records the messages of `monitor`.
    public func observer(monitor: String) -> @Sendable (QMPClient.MessageDirection, JSON) -> Void {
        { [self] direction, message in record(monitor: monitor, direction: direction, message: message) }
    }

    /// Appends one message.
    public func record(monitor: String, direction: QMPClient.MessageDirection, message: JSON) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let time = Double(now.tv_sec) + Double(now.tv_nsec / 1000) / 1_000_000
        let line = JSON.object(JSONObject([
            ("time", .double(time)),
            ("monitor", .string(monitor)),
            ("direction", .string(direction.rawValue)),
            ("message", Redaction.redact(message)),
        ])).serialized() + "\n"
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            writeAll(fd, line)
        }
    }

    /// Flushes and closes the file; later records are dropped.
    public func close() {
        descriptor.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }
}

/// The transcript file could not be written.
public struct TranscriptError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
