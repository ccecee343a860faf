import QMPWire

extension ClientCore {
    /// Hands queued requests to the transport while it takes them; called by whoever took the writer role (a
    /// caller that found the queue idle, or the transport's thread in `transportReady()`). Never blocks (a
    /// transport's `send` does not) and never holds the lock across the send: when the transport is busy, the
    /// rest of the queue waits for `transportReady()`.
    func flushWrites() {
        while true {
            let next = state.withLock { state -> OutgoingRequest? in
                guard let head = state.writeQueue.popFirst() else {
                    state.writing = false
                    return nil
                }
                state.queuedBytes -= head.bytes.count
                head.started = true
                head.pending?.request = nil
                state.readyWhileWriting = false
                return head
            }
            guard let request = next else { return }
            let result: TransportSendResult
            do {
                result = try transport.send(OutboundMessage(bytes: request.bytes, fileDescriptors: request.fileDescriptors))
            } catch {
                state.withLock { $0.writing = false }
                connectionLost(error)
                transport.shutdown()
                return
            }
            if result == .busy {
                let carryOn = state.withLock { state -> Bool in
                    // The transport may already have finished the message (and said so) since `send` returned.
                    if state.readyWhileWriting {
                        state.readyWhileWriting = false
                        return true
                    }
                    state.writing = false
                    state.transportBusy = true
                    return false
                }
                if !carryOn { return }
            }
        }
    }

    /// The transport can take messages again: take the writer role and flush what waits.
    func transportReady() {
        let write = state.withLock { state -> Bool in
            if state.writing {
                state.readyWhileWriting = true
                return false
            }
            state.transportBusy = false
            guard !state.writeQueue.isEmpty, state.closedError == nil else { return false }
            state.writing = true
            return true
        }
        if write { flushWrites() }
    }
}
