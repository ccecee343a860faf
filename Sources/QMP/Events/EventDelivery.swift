import QMPWire
import Synchronization

extension ClientCore {
    /// Hands an event (numbered and kept in the history by the protocol machine) to every subscriber and waiter
    /// whose filter accepts it.
    ///
    /// Filters are user code: they run outside the lock, so they may call back into the client.
    func dispatch(_ event: QMPEvent, to subscribers: [EventSubscriber], waiters: [EventWaiter]) {
        if !waiters.isEmpty {
            let matched = waiters.filter { $0.filter.accepts(event) }
            if !matched.isEmpty {
                state.withLock { state in state.waiters.removeAll { waiter in matched.contains { $0 === waiter } } }
                for waiter in matched { waiter.finish(returning: event) }
            }
        }
        for subscriber in subscribers where subscriber.filter.accepts(event) { subscriber.offer(event) }
    }

    /// How far past ``QMPClient/Configuration/eventHistorySize`` the history may grow to keep the events that
    /// came after the most recent command (which a wait that follows it counts).
    static var historyStretch: Int { ClientProtocol.historyStretch }

    /// Registers a subscriber, replaying history after `start` when asked.
    func subscribe(_ subscriber: EventSubscriber, replayingAfter start: EventCursor?) {
        let (history, closed) = state.withLock { state -> (FIFOQueue<QMPEvent>?, QMPConnectionError?) in
            if state.machine.closedError == nil {
                state.subscribers[ObjectIdentifier(subscriber)] = subscriber
                // Live events that come while the history is replayed wait behind it, so the order stays the
                // wire's order.
                if start != nil { subscriber.hold() }
            }
            return (start == nil ? nil : state.machine.history, state.machine.closedError)
        }
        if let history, let start {
            // Filters are user code: they run here, outside every lock.
            let replayed = history.elements.filter { $0.sequence > start.sequence && subscriber.filter.accepts($0) }
            subscriber.release(after: replayed)
        }
        if let closed { subscriber.finish(closed) }
    }

    func unsubscribe(_ subscriber: EventSubscriber) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: ObjectIdentifier(subscriber)) }
    }

    func resolve(_ start: EventStart) -> EventCursor {
        switch start {
        case .lastCommand: return lastCommandCursor
        case .now: return currentCursor
        case .cursor(let cursor): return cursor
        }
    }

    /// Waits for the first event after `start` that `filter` accepts.
    func waitForEvent(_ filter: QMPEventFilter, after start: EventStart, timeout: Duration?, label: String) async throws
        -> QMPEvent
    {
        let cursor = resolve(start)
        let waiter = EventWaiter(filter: filter)
        // Events after the cursor that the history no longer holds: a timeout must say so.
        let evicted = state.withLock { state in
            state.machine.evictedThrough > cursor.sequence ? state.machine.evictedThrough - cursor.sequence : 0
        }
        let timer = timeout.map { timeout in
            DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
                self?.removeWaiter(waiter)
                var error = QMPTimeoutError(operation: label, timeout: timeout)
                if evicted > 0 {
                    error.detail = "\(evicted) events that came after the wait's starting point had already been evicted from the history (eventHistorySize), so the event may have come and gone"
                }
                waiter.finish(throwing: error)
            }
        }
        defer { timer.map(DeadlineScheduler.shared.cancel) }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<QMPEvent, any Error>) in
                waiter.setContinuation(continuation)
                if let immediate = register(waiter, after: cursor) {
                    switch immediate {
                    case .success(let event): waiter.finish(returning: event)
                    case .failure(let error): waiter.finish(throwing: error)
                    }
                }
                if Task.isCancelled {
                    removeWaiter(waiter)
                    waiter.finish(throwing: CancellationError())
                }
            }
        } onCancel: {
            removeWaiter(waiter)
            waiter.finish(throwing: CancellationError())
        }
    }

    /// Looks for a match in the history after `cursor`, running the filter outside the lock; registers the waiter
    /// once no unchecked event is left (atomically with that check, so no event falls in between). Returns the
    /// outcome when there is one already.
    private func register(_ waiter: EventWaiter, after cursor: EventCursor) -> Result<QMPEvent, any Error>? {
        var checked = cursor.sequence
        while true {
            let unchecked = state.withLock { state -> [QMPEvent]? in
                if state.machine.eventSequence > checked {
                    return state.machine.events(after: checked)
                }
                if state.machine.closedError == nil { state.waiters.append(waiter) }
                return nil
            }
            guard let unchecked else {
                return closedError.map { .failure($0) }
            }
            if let match = unchecked.first(where: { waiter.filter.accepts($0) }) { return .success(match) }
            checked = max(checked, unchecked.last?.sequence ?? checked)
            if unchecked.isEmpty { checked = state.withLock { $0.machine.eventSequence } }
        }
    }

    private func removeWaiter(_ waiter: EventWaiter) {
        state.withLock { $0.waiters.removeAll { $0 === waiter } }
    }

    /// Events after `cursor` still in the history, oldest first.
    func history(after cursor: EventCursor) -> [QMPEvent] {
        state.withLock { state in state.machine.events(after: cursor.sequence) }
    }
}

/// One pending `waitForEvent`; finished exactly once, even when the finish comes before the caller suspends.
final class EventWaiter: Sendable {
    private enum Phase {
        case idle
        case waiting(UnsafeContinuation<QMPEvent, any Error>)
        case finished(Result<QMPEvent, any Error>)
        case delivered
    }

    let filter: QMPEventFilter
    private let phase = Mutex<Phase>(.idle)

    init(filter: QMPEventFilter) { self.filter = filter }

    func setContinuation(_ continuation: UnsafeContinuation<QMPEvent, any Error>) {
        let early = phase.withLock { phase -> Result<QMPEvent, any Error>? in
            if case .finished(let result) = phase {
                phase = .delivered
                return result
            }
            phase = .waiting(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    private func finish(_ result: Result<QMPEvent, any Error>) {
        let continuation = phase.withLock { phase -> UnsafeContinuation<QMPEvent, any Error>? in
            switch phase {
            case .idle:
                phase = .finished(result)
                return nil
            case .waiting(let continuation):
                phase = .delivered
                return continuation
            case .finished, .delivered:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    func finish(returning event: QMPEvent) { finish(.success(event)) }
    func finish(throwing error: any Error) { finish(.failure(error)) }
}
