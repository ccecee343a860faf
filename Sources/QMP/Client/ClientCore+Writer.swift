import QMPWire

extension ClientCore {
    /// Hands queued requests to the transport while it takes them; called by whoever took the writer role (a
    /// caller that found the queue idle, or the transport's thread in `transportReady()`). Never blocks (a
    /// transport's `send` does not) and never holds the lock across the send: when the transport is busy, the
    /// rest of the queue waits for `transportReady()`.
    func flushWrites() {
        let failure = flushOutbound(
            to: transport, next: { state.withLock { $0.machine.outbound.next() } },
            busy: { state.withLock { $0.machine.outbound.busy() } })
        if let failure {
            state.withLock { $0.machine.outbound.sendFailed() }
            connectionLost(failure)
            transport.shutdown()
        }
    }

    /// The transport can take messages again: take the writer role and flush what waits.
    func transportReady() {
        let write = state.withLock { state in state.machine.closedError == nil && state.machine.outbound.ready() }
        if write { flushWrites() }
    }
}
