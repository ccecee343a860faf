import QMPWire

/// The write side: `OutboundQueueOwner` (QMPWire) flushes the machine's queue to the transport, as it does for the
/// HMP and agent clients.
extension ClientCore {
    var outboundTransport: any MessageTransport { transport }

    func withOutbound<R>(_ body: (inout OutboundQueue, _ closed: Bool) -> R) -> R {
        state.withLock { state in body(&state.machine.outbound, state.machine.closedError != nil) }
    }

    func outboundFailed(_ error: QMPConnectionError) {
        connectionLost(error)
    }

    /// The transport can take messages again: take the writer role and flush what waits.
    func transportReady() {
        outboundReady()
    }
}
