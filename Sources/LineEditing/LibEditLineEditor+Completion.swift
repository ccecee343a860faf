#if canImport(Glibc)
import Glibc
#endif
import CLibEdit
import Synchronization

extension LibEditLineEditor.Core {
    /// The Tab key: asks the completer (waiting for it; Ctrl-C gives up), then inserts, lists or beeps.
    func complete() -> UInt8 {
        guard let editLine, let info = el_line(editLine)?.pointee,
            let completer = shared.state.withLock({ $0.completer })
        else { return UInt8(CC_REFRESH_BEEP) }
        let count = info.cursor - info.buffer
        let before = String(decoding: UnsafeRawBufferPointer(start: info.buffer, count: count), as: UTF8.self)
        let repeated = textAfterLastTab == before
        guard let completion = waitForCompletion(completer, before) else {
            textAfterLastTab = nil
            return UInt8(CC_REFRESH_BEEP)
        }
        let action = TabAction.decide(completion, repeated: repeated)
        switch action {
        case .replace(let deleting, let inserting):
            if deleting > 0 { el_deletestr(editLine, Int32(deleting)) }
            el_insertstr(editLine, inserting)
            textAfterLastTab = String(before.dropLast(deleting)) + inserting
            return UInt8(CC_REFRESH)
        case .list(let candidates):
            let columns = Int(qk_el_columns(editLine))
            let text = TabAction.columnLayout(candidates, columns: columns)
            Descriptors.writeAll(1, "\r\n" + text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n"))
            textAfterLastTab = before
            return UInt8(CC_REDISPLAY)
        case .beep:
            textAfterLastTab = before
            return UInt8(CC_REFRESH_BEEP)
        }
    }

    /// Runs the async completer and blocks this (the editor's) thread until it answers; `nil` when Ctrl-C
    /// came first (the interrupt stays pending and clears the line).
    private func waitForCompletion(_ completer: @escaping LineCompleter, _ line: String) -> LineCompletion? {
        guard let pipe = Descriptors.makePipe() else { return nil }
        let handoff = CompletionHandoff(pipe: pipe)
        Task.detached { handoff.deliver(await completer(line)) }
        while true {
            let ready = Descriptors.waitReadable([pipe.read, shared.wakePipe.read])
            if ready[0] { return handoff.take() }
            if ready[1] {
                Descriptors.drain(shared.wakePipe.read)
                // Other wake-ups (output, resize) are handled once the key is done; only Ctrl-C or closing give up.
                Descriptors.wakeUp(shared.wakePipe.write)
                if TerminalSignals.isPending(SIGINT) || shared.state.withLock({ $0.closing }) {
                    handoff.abandon()
                    return nil
                }
                // Wait for the completion alone now, so the re-sent byte does not spin this loop.
                let done = Descriptors.waitReadable([pipe.read], timeoutMilliseconds: 100)
                if done[0] { return handoff.take() }
            }
        }
    }
}

/// Hands a completion from the task that computes it to the editor thread. Whoever finishes last closes the
/// pipe, so a late answer never writes to a closed (or reused) descriptor.
private final class CompletionHandoff: Sendable {
    private struct State {
        var result: LineCompletion?
        var delivered = false
        var abandoned = false
    }

    private let state = Mutex(State())
    private let pipe: (read: Int32, write: Int32)

    init(pipe: (read: Int32, write: Int32)) { self.pipe = pipe }

    func deliver(_ completion: LineCompletion) {
        let abandoned = state.withLock { state in
            state.result = completion
            state.delivered = true
            return state.abandoned
        }
        if abandoned {
            close(pipe.read)
            close(pipe.write)
        } else {
            Descriptors.wakeUp(pipe.write)
        }
    }

    func take() -> LineCompletion? {
        let result = state.withLock { $0.result }
        close(pipe.read)
        close(pipe.write)
        return result
    }

    func abandon() {
        let delivered = state.withLock { state in
            state.abandoned = true
            return state.delivered
        }
        if delivered {
            close(pipe.read)
            close(pipe.write)
        }
    }
}
