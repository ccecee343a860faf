import Synchronization

/// A line editor driven by a program instead of a person, for testing REPLs without a terminal.
///
/// Lines given to ``init(lines:endsAfterLines:)`` or ``type(_:)`` are read in order; after ``finish()`` (or at once
/// when created with `endsAfterLines`) an empty queue reads as the end of input, otherwise a read waits for the next
/// line. Everything written is kept in ``output`` and ``errorOutput``; the prompts shown in ``prompts``;
/// ``complete(_:)`` runs the completer the REPL installed, as a Tab would.
///
/// ```swift
/// let editor = ScriptedLineEditor(lines: ["query-status"], endsAfterLines: true)
/// let status = await repl.run()
/// #expect(editor.output.contains("running"))
/// ```
public final class ScriptedLineEditor: LineEditor {
    private struct State {
        var queue: [LineEditorResult] = []
        var finished: Bool
        var woken = false
        var reader: CheckedContinuation<LineEditorResult, Never>?
        var output = ""
        var errorOutput = ""
        var prompts: [String] = []
        var history: [String] = []
        var completer: LineCompleter?
        var waiters: [(id: Int, condition: @Sendable (String) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextWaiter = 0
    }

    private let state: Mutex<State>
    private let commandInterrupts = InterruptSignal(sticky: true)

    /// An editor that reads `lines`; with `endsAfterLines`, the end of input follows them, else reads wait for
    /// ``type(_:)``.
    public init(lines: [String] = [], endsAfterLines: Bool = false) {
        state = Mutex(State(queue: lines.map(LineEditorResult.line), finished: endsAfterLines))
    }

    /// True, so REPLs under test behave as on a terminal (prompts, completion, history).
    public var isInteractive: Bool { true }

    /// Everything written to the output stream so far.
    public var output: String { state.withLock { $0.output } }
    /// Everything written to the error stream so far.
    public var errorOutput: String { state.withLock { $0.errorOutput } }
    /// Both streams, in the order written.
    public var transcript: String { state.withLock { $0.output + $0.errorOutput } }
    /// The prompts shown, one per read.
    public var prompts: [String] { state.withLock { $0.prompts } }
    /// The lines added to the history.
    public var history: [String] { state.withLock { $0.history } }

    /// Queues a line, as if typed and followed by Enter.
    public func type(_ line: String) { deliver(.line(line)) }

    /// Queues a Ctrl-C.
    public func interrupt() { deliver(.interrupted) }

    /// A Ctrl-C while a command runs: ends the current (or, if none waits yet, the next) ``waitForInterrupt()``.
    public func interruptCommand() { commandInterrupts.fire() }

    /// Returns after ``interruptCommand()``, or when the waiting task is cancelled.
    public func waitForInterrupt() async { await commandInterrupts.wait() }

    /// Ends the input after the queued lines (Ctrl-D).
    public func finish() {
        let reader = state.withLock { state -> CheckedContinuation<LineEditorResult, Never>? in
            state.finished = true
            guard state.queue.isEmpty else { return nil }
            defer { state.reader = nil }
            return state.reader
        }
        reader?.resume(returning: .endOfInput)
    }

    private func deliver(_ result: LineEditorResult) {
        let reader = state.withLock { state -> CheckedContinuation<LineEditorResult, Never>? in
            if let reader = state.reader {
                state.reader = nil
                return reader
            }
            state.queue.append(result)
            return nil
        }
        reader?.resume(returning: result)
    }

    /// Returns the next queued line (recording `prompt`), waits for ``type(_:)`` when the queue is empty, or
    /// gives ``LineEditorResult/endOfInput`` once ``finish()`` was called and the queue is empty.
    public func readLine(prompt: String) async -> LineEditorResult {
        await withCheckedContinuation { continuation in
            let immediate = state.withLock { state -> LineEditorResult? in
                state.prompts.append(prompt)
                if state.woken {
                    state.woken = false
                    return .woken
                }
                if !state.queue.isEmpty { return state.queue.removeFirst() }
                if state.finished { return .endOfInput }
                state.reader = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Appends `text` to ``output`` or ``errorOutput`` and wakes the ``waitForOutput(timeout:until:)`` calls it
    /// satisfies.
    public func write(_ text: String, to stream: LineEditorStream) {
        let satisfied = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            if stream == .output { state.output += text } else { state.errorOutput += text }
            let all = state.output + state.errorOutput
            let ready = state.waiters.filter { $0.condition(all) }
            state.waiters.removeAll { $0.condition(all) }
            return ready.map(\.continuation)
        }
        for waiter in satisfied { waiter.resume(returning: true) }
    }

    /// Waits until the output (either stream) contains `text`; false after `timeout`.
    public func waitForOutput(containing text: String, timeout: Duration = .seconds(10)) async -> Bool {
        await waitForOutput(timeout: timeout) { $0.contains(text) }
    }

    /// Waits until `condition` holds for everything written so far (both streams); false after `timeout`.
    public func waitForOutput(timeout: Duration = .seconds(10), until condition: @escaping @Sendable (String) -> Bool) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { state -> Bool in
                        if condition(state.output + state.errorOutput) { return true }
                        state.waiters.append((id, condition, continuation))
                        return false
                    }
                    if done { continuation.resume(returning: true) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index).continuation
                }
                waiter?.resume(returning: false)
                return false
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
    }

    /// Records `line` in ``history`` (blank lines too, so tests see what the REPL added).
    public func addHistory(_ line: String) {
        state.withLock { $0.history.append(line) }
    }

    /// Keeps `completer` for ``complete(_:)``.
    public func setCompleter(_ completer: LineCompleter?) {
        state.withLock { $0.completer = completer }
    }

    /// Runs the installed completer on `lineBeforeCursor`; `nil` when none is installed.
    public func complete(_ lineBeforeCursor: String) async -> LineCompletion? {
        guard let completer = state.withLock({ $0.completer }) else { return nil }
        return await completer(lineBeforeCursor)
    }

    /// Ends a pending read with ``LineEditorResult/woken`` (or the next one).
    public func wake() {
        let reader = state.withLock { state -> CheckedContinuation<LineEditorResult, Never>? in
            if let reader = state.reader {
                state.reader = nil
                return reader
            }
            state.woken = true
            return nil
        }
        reader?.resume(returning: .woken)
    }

    /// Does nothing: there is no terminal or file to give back.
    public func close() {}
}
