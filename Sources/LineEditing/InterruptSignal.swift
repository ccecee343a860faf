import Synchronization

/// Ctrl-C pressed while no line is being read, handed to whoever waits for it (a REPL waiting for a command's
/// reply). Waits end when cancelled.
final class InterruptSignal: Sendable {
    private struct State {
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var next = 0
        /// A press that came with nobody waiting, kept for the next wait when `sticky`.
        var pending = false
    }

    private let state = Mutex(State())
    private let sticky: Bool

    /// With `sticky`, a press nobody waits for is kept for the next wait; otherwise it is dropped.
    init(sticky: Bool) {
        self.sticky = sticky
    }

    func wait() async {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Whether somebody waits now.
    var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Ends every wait; returns whether anybody was waiting.
    @discardableResult
    func fire() -> Bool {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters.removeAll() }
            if state.waiters.isEmpty && sticky { state.pending = true }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
        return !waiters.isEmpty
    }
}
