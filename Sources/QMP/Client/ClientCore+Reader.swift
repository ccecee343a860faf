import QMPWire
import Synchronization

extension ClientCore {
    /// Starts the transport: from now on it delivers to this core on its own thread.
    func startReader() {
        transport.start(self)
    }

    /// One framed item from the transport's thread: the protocol machine decides under the lock, the caller is
    /// resumed (or the event dispatched, or the anomaly logged) outside it.
    func transportReceived(_ item: JSONStreamFramer.Item) {
        var continuation: UnsafeContinuation<JSON, any Error>?
        var greetingWaiter: UnsafeContinuation<QMPGreeting, any Error>?
        // Who gets an event is decided in the same lock that adds it to the history, so a subscriber that replays
        // the history never also gets it live (a duplicate) and never misses it.
        var recipients: ([EventSubscriber], [EventWaiter]) = ([], [])
        let output = state.withLock { state in
            let output = state.machine.receive(item)
            switch output {
            case .reply(let call, _): continuation = call.takeContinuation()
            case .greetingFailed:
                greetingWaiter = state.greetingWaiter
                state.greetingWaiter = nil
            case .greeted:
                // Observed first (below), then handed to the waiter: a caller that comes in between waits.
                break
            case .event: recipients = (Array(state.subscribers.values), state.waiters)
            case .none, .anomaly: break
            }
            return output
        }
        if configuration.messageObserver != nil || wireLogger != nil, case .object(let object) = item {
            switch output {
            case .reply(_, .failure(let error)) where error is QMPProtocolError: break
            case .none, .reply, .greeted, .event, .anomaly(_, message: .some): observe(.received, .object(object))
            case .greetingFailed, .anomaly(_, message: nil): break
            }
        }
        switch output {
        case .none: break
        case .reply(_, let result): continuation?.resume(with: result)
        case .greeted(let greeting):
            greetingWaiter = state.withLock { state in
                state.greetingObserved = true
                defer { state.greetingWaiter = nil }
                return state.greetingWaiter
            }
            greetingWaiter?.resume(returning: greeting)
        case .greetingFailed(let error): greetingWaiter?.resume(throwing: error)
        case .event(let event): dispatch(event, to: recipients.0, waiters: recipients.1)
        case .anomaly(let error, _): logAnomaly(error)
        }
    }

    func transportClosed(_ error: QMPConnectionError) {
        connectionLost(error)
    }

    func transportFinished() {
        finish.signal()
    }
}
