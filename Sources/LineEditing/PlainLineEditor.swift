#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Reads lines from a descriptor that is not a terminal (a pipe, a file, a here-document): no prompt, no
/// editing, no history. Each read runs on a thread of its own, so the cooperative pool is never blocked, and
/// ``wake()`` ends a pending read at once.
///
/// Reading is linear in the input: the search for a line break resumes where the last one stopped, and consumed
/// lines are dropped from the buffer in bulk, not one by one (a 16 MiB line used to take 15 s, rescanned on every
/// read).
public final class PlainLineEditor: LineEditor {
    private struct State {
        var buffer: [UInt8] = []
        /// Where the current line starts in `buffer` (consumed bytes before it are dropped in bulk).
        var start = 0
        /// Bytes from `start` up to here hold no line break.
        var scanned = 0
        var ended = false
        var woken = false
    }

    private let input: Int32
    private let output: Int32
    private let error: Int32
    private let wakePipe: (read: Int32, write: Int32)?
    private let state = Mutex(State())

    /// An editor on `input`, writing to `output` and `error` (by default the standard descriptors).
    public init(input: Int32 = 0, output: Int32 = 1, error: Int32 = 2) {
        self.input = input
        self.output = output
        self.error = error
        self.wakePipe = Descriptors.makePipe()
    }

    deinit {
        if let wakePipe {
            Glibc.close(wakePipe.read)
            Glibc.close(wakePipe.write)
        }
    }

    /// Always false: no prompt is shown, and nothing is edited, completed or kept.
    public var isInteractive: Bool { false }

    /// Reads the next line (`\n` or `\r\n` removed) on a thread of its own; `prompt` is ignored. A last line
    /// without a break is returned as a line, then ``LineEditorResult/endOfInput``; a read error ends the input too.
    public func readLine(prompt: String) async -> LineEditorResult {
        await withCheckedContinuation { continuation in
            Descriptors.startThread { [self] in continuation.resume(returning: self.readBlocking()) }
        }
    }

    private func readBlocking() -> LineEditorResult {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let ready = state.withLock { state -> LineEditorResult? in
                if state.woken {
                    state.woken = false
                    return .woken
                }
                if let newline = state.buffer[state.scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                    var end = newline
                    if end > state.start && state.buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    let line = String(decoding: state.buffer[state.start..<end], as: UTF8.self)
                    state.start = newline + 1
                    state.scanned = state.start
                    // Drop consumed lines once they are most of the buffer: amortised linear.
                    if state.start > 65_536 && state.start * 2 > state.buffer.count {
                        state.buffer.removeSubrange(..<state.start)
                        state.start = 0
                        state.scanned = 0
                    }
                    return .line(line)
                }
                state.scanned = state.buffer.count
                if state.ended {
                    guard state.start < state.buffer.count else { return .endOfInput }
                    defer {
                        state.buffer.removeAll()
                        state.start = 0
                        state.scanned = 0
                    }
                    return .line(String(decoding: state.buffer[state.start...], as: UTF8.self))
                }
                return nil
            }
            if let ready { return ready }
            let readable = Descriptors.waitReadable([input] + (wakePipe.map { [$0.read] } ?? []))
            if readable.count > 1, readable[1], let wakePipe { Descriptors.drain(wakePipe.read) }
            guard readable[0] else { continue }
            let count = read(input, &chunk, chunk.count)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            state.withLock { state in
                if count <= 0 { state.ended = true } else { state.buffer += chunk[0..<count] }
            }
        }
    }

    /// Writes `text` to the output or error descriptor, all of it (retrying short writes).
    public func write(_ text: String, to stream: LineEditorStream) {
        Descriptors.writeAll(stream == .output ? output : error, text)
    }

    /// Returns only when cancelled: with piped input Ctrl-C keeps its usual meaning (it ends the process).
    public func waitForInterrupt() async {
        await InterruptSignal(sticky: false).wait()
    }

    /// Does nothing: piped input has no history.
    public func addHistory(_ line: String) {}

    /// Does nothing: piped input has no completion.
    public func setCompleter(_ completer: LineCompleter?) {}

    /// Ends a pending read with ``LineEditorResult/woken`` (or the next one). Safe from any thread.
    public func wake() {
        state.withLock { $0.woken = true }
        if let wakePipe { Descriptors.wakeUp(wakePipe.write) }
    }

    /// Does nothing; the descriptors stay open (they belong to the caller).
    public func close() {}
}
