#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Reads lines from a descriptor that is not a terminal (a pipe, a file, a here-document): no prompt, no
/// editing, no history. Each read runs on a thread of its own, so the cooperative pool is never blocked, and
/// ``wake()`` ends a pending read at once.
public final class PlainLineEditor: LineEditor {
    private struct State {
        var buffer: [UInt8] = []
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

    public var isInteractive: Bool { false }

    public func readLine(prompt: String) async -> LineEditorResult {
        await withCheckedContinuation { continuation in
            Descriptors.startThread { [self] in continuation.resume(returning: self.readBlocking()) }
        }
    }

    private func readBlocking() -> LineEditorResult {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let ready = state.withLock { state -> LineEditorResult? in
                if state.woken {
                    state.woken = false
                    return .woken
                }
                if let newline = state.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(state.buffer[..<newline])
                    state.buffer.removeSubrange(...newline)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return .line(String(decoding: line, as: UTF8.self))
                }
                if state.ended {
                    guard !state.buffer.isEmpty else { return .endOfInput }
                    defer { state.buffer.removeAll() }
                    return .line(String(decoding: state.buffer, as: UTF8.self))
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

    public func write(_ text: String, to stream: LineEditorStream) {
        Descriptors.writeAll(stream == .output ? output : error, text)
    }

    /// Returns only when cancelled: with piped input Ctrl-C keeps its usual meaning (it ends the process).
    public func waitForInterrupt() async {
        await InterruptSignal(sticky: false).wait()
    }

    public func addHistory(_ line: String) {}

    public func setCompleter(_ completer: LineCompleter?) {}

    public func wake() {
        state.withLock { $0.woken = true }
        if let wakePipe { Descriptors.wakeUp(wakePipe.write) }
    }

    public func close() {}
}
