#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP
import QMPWire

/// Writes every QMP message sent and received to a file as JSON lines, secrets redacted (`Redaction`):
/// `{"time": 1764072000.123456, "monitor": "/tmp/qmp.sock", "direction": "sent", "message": {...}}`.
///
/// The file is created through `SafeFile` (mode 0600, no symbolic link followed, no file of another user reused)
/// and truncated. Replies to commands that read a secret (`qom-get` of a secret's `data`) are redacted too
/// (``WireRedactor``, one `Redaction.ReplyTracker` per monitor). Lines are written whole with one `write` each, so
/// several monitors can share one transcript.
///
/// ``record(monitor:direction:message:)`` runs on the thread that calls the message observer, a connection's I/O
/// thread: it only formats the line and queues it. A ``BackgroundLineWriter`` writes it on a thread of its own, so
/// a file that does not keep up (a slow disk, a full one) never holds up calls and events. When the queue is full,
/// messages are dropped and counted: the transcript gets a line
/// `{"time": ..., "dropped": N, "note": "N wire messages not logged: the transcript did not keep up"}` where they
/// are missing, and ``close(within:)`` returns the number, for the tool to say on stderr.
public final class TranscriptWriter: Sendable {
    private let lines: BackgroundLineWriter
    private let redactor = WireRedactor()
    /// The file's path.
    public let path: String
    /// How long ``close(within:)`` waits by default for what is queued to be written.
    public static let closingDeadline: Duration = .seconds(2)

    /// Creates (or truncates) `path`. Throws ``TranscriptError`` when it cannot be opened.
    public convenience init(path: String) throws(TranscriptError) {
        let fd: Int32
        do { fd = try SafeFile.openForWriting(path) } catch {
            throw TranscriptError("cannot write the transcript \(path): \(error.problem)")
        }
        self.init(descriptor: fd, path: path)
    }

    /// A transcript written to `descriptor` (which it owns and closes), queueing at most `limits`.
    package init(descriptor: Int32, path: String, limits: BackgroundLineWriter.Limits = .init()) {
        self.path = path
        self.lines = BackgroundLineWriter(descriptor: descriptor, ownsDescriptor: true, limits: limits) { dropped in
            JSON.object(JSONObject([
                ("time", .double(Self.now())),
                ("dropped", .int(Int64(dropped))),
                ("note", .string(Self.notLogged(dropped, by: "the transcript"))),
            ])).serialized() + "\n"
        }
    }

    deinit { lines.close(within: .zero) }

    /// The words for `count` messages lost because `writer` (`the transcript`, `stderr`) did not keep up.
    public static func notLogged(_ count: Int, by writer: String) -> String {
        "\(count) wire message\(count == 1 ? "" : "s") not logged: \(writer) did not keep up"
    }

    /// An observer for `QMPClient.Configuration.messageObserver` that records the messages of `monitor`.
    public func observer(monitor: String) -> @Sendable (QMPClient.MessageDirection, JSON) -> Void {
        { [self] direction, message in record(monitor: monitor, direction: direction, message: message) }
    }

    /// Queues one message (redacted, formatted) for writing; never waits for the file.
    public func record(monitor: String, direction: QMPClient.MessageDirection, message: JSON) {
        let line = JSON.object(JSONObject([
            ("time", .double(Self.now())),
            ("monitor", .string(monitor)),
            ("direction", .string(direction.rawValue)),
            ("message", redactor.redact(monitor: monitor, direction: direction, message: message)),
        ])).serialized() + "\n"
        lines.enqueue(line)
    }

    /// Why messages are missing from the file beyond a queue that was full: writes the system refused (a full
    /// disk), with the first one's `errno`; `nil` when every write went through.
    public var writeFailure: BackgroundLineWriter.WriteFailure? { lines.writeFailure }

    /// Writes what is queued (waiting until `deadline` at most) and closes the file; later records are dropped.
    /// Returns how many messages are not in the transcript because it did not keep up or a write failed
    /// (``writeFailure``); 0 normally.
    @discardableResult
    public func close(within deadline: Duration = closingDeadline) -> Int {
        lines.close(within: deadline)
    }

    private static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec / 1000) / 1_000_000
    }
}

/// The transcript file could not be written.
public struct TranscriptError: Error, Sendable, CustomStringConvertible {
    /// What failed, with the file name and the system's reason.
    public var description: String
    init(_ description: String) { self.description = description }
}
