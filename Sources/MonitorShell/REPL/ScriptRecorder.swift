#if canImport(Glibc)
import Glibc
#endif
import QMPWire
import Synchronization

/// Writes what is typed at the shell as a `.qmp` script that `qmpsh run` can replay: each command as typed (HMP
/// commands as `hmp ...`), its reply as `# ` comments, a command that QEMU refused as
/// `expect-error CLASS COMMAND` (so the replay checks the same failure instead of stopping).
///
/// Each entry is written at once (one `write`), so nothing is lost if the shell ends abruptly. Secrets in the
/// lines become `***` (``Redaction/redactLine(_:placeholder:hmpMode:)``); callers redact replies. The file is
/// created through ``SafeFile`` with mode 0600.
final class ScriptRecorder: Sendable {
    let path: String
    private let descriptor: Int32
    private let closed = Mutex(false)

    /// Creates (or truncates) `path`; throws a message when it cannot be opened.
    init(path: String, header: String) throws(RecorderError) {
        let descriptor: Int32
        do { descriptor = try SafeFile.openForWriting(path) } catch { throw RecorderError(message: error.description) }
        self.path = path
        self.descriptor = descriptor
        append(header.split(separator: "\n", omittingEmptySubsequences: false).map { "# " + $0 }.joined(separator: "\n") + "\n")
    }

    deinit { finish() }

    /// A command that succeeded, and its reply (as comments).
    func recordCommand(_ line: String, reply: String) {
        append(Redaction.redactLine(line) + "\n" + Self.comment(reply))
    }

    /// A command that failed: `expect-error CLASS line` for QMP errors, else commented out with the message.
    func recordFailure(_ line: String, errorClass: String?, message: String) {
        if let errorClass {
            append("expect-error \(errorClass) \(Redaction.redactLine(line))\n" + Self.comment(message))
        } else {
            append("# (failed) \(Redaction.redactLine(line))\n" + Self.comment(message))
        }
    }

    /// A note for the reader, as a comment.
    func note(_ text: String) {
        append(Self.comment(text))
    }

    /// Closes the file.
    func finish() {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        if !wasClosed { close(descriptor) }
    }

    static func comment(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    private func append(_ text: String) {
        guard !closed.withLock({ $0 }) else { return }
        writeAll(descriptor, text)
    }
}

/// A recording could not be started.
struct RecorderError: Error {
    var message: String
}
