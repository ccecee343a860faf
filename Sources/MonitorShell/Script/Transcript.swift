#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP
import QMPWire
import Synchronization

/// Writes every QMP message sent and received to a file as JSON lines, secrets redacted (`Redaction`):
/// `{"time": 1764072000.123456, "monitor": "/tmp/qmp.sock", "direction": "sent", "message": {...}}`.
///
/// The file is created through `SafeFile` (mode 0600, no symbolic link followed, no file of another user reused)
/// and truncated. Replies to commands that read a secret (`qom-get` of a secret's `data`) are redacted too
/// (`Redaction.ReplyTracker`, one per monitor). Lines are written whole with one `write` each, so several
/// monitors can share one transcript.
public final class TranscriptWriter: Sendable {
    private let descriptor: Mutex<Int32>
    private let trackers = Mutex<[String: Redaction.ReplyTracker]>([:])
    /// The file's path.
    public let path: String

    /// Creates (or truncates) `path`. Throws ``TranscriptError`` when it cannot be opened.
    public init(path: String) throws(TranscriptError) {
        let fd: Int32
        do { fd = try SafeFile.openForWriting(path) } catch {
            throw TranscriptError("cannot write the transcript \(path): \(error.problem)")
        }
        self.path = path
        self.descriptor = Mutex(fd)
    }

    deinit { descriptor.withLock { if $0 >= 0 { _ = Glibc.close($0) } } }

    /// An observer for `QMPClient.Configuration.messageObserver` that records the messages of `monitor`.
    public func observer(monitor: String) -> @Sendable (QMPClient.MessageDirection, JSON) -> Void {
        { [self] direction, message in record(monitor: monitor, direction: direction, message: message) }
    }

    /// Appends one message.
    public func record(monitor: String, direction: QMPClient.MessageDirection, message: JSON) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let time = Double(now.tv_sec) + Double(now.tv_nsec / 1000) / 1_000_000
        let redacted = trackers.withLock { trackers in
            direction == .sent ? trackers[monitor, default: .init()].sent(message) : trackers[monitor, default: .init()].received(message)
        }
        let line = JSON.object(JSONObject([
            ("time", .double(time)),
            ("monitor", .string(monitor)),
            ("direction", .string(direction.rawValue)),
            ("message", redacted),
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
    /// What failed, with the file name and the system's reason.
    public var description: String
    init(_ description: String) { self.description = description }
}
