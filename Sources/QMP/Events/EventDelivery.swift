import QMPWire
import Synchronization

extension ClientCore {
    /// Records an event in the history and hands it to every subscriber and waiter whose filter accepts it.
    func dispatch(_ message: QMPEventMessage) {
        let (event, subscribers, matched) = state.withLock { state in
            state.eventSequence += 1
            let event = QMPEvent(name: message.name, data: message.data, timestamp: message.timestamp,
                                 sequence: state.eventSequence)
            state.history.append(event)
            state.historyCount += 1
            if state.historyCount > state.historyLimit {
                _ = state.history.popFirst()
                state.historyCount -= 1
            }
            var matched: [EventWaiter] = []
            if !state.waiters.isEmpty {
                state.waiters.removeAll { waiter in
                    guard waiter.filter.accepts(event) else { return false }
                    matched.append(waiter)
                    return true
                }
            }
            return (event, Array(state.subscribers.values), matched)
        }
        for waiter in matched { waiter.finish(returning: event) }
        for subscriber in subscribers where subscriber.filter.accepts(event) { subscriber.offer(event) }
    }

    /// Registers a subscriber, replaying history after `start` when asked.
    func subscribe(_ subscriber: EventSubscriber, replayingAfter start: EventCursor?) {
        let (replay, closed) = state.withLock { state -> ([QMPEvent], QMPConnectionError?) in
            let replay = start.map { cursor in
                state.history.elements.filter { $0.sequence > cursor.sequence && subscriber.filter.accepts($0) }
            } ?? []
            if state.closedError == nil { state.subscribers[ObjectIdentifier(subscriber)] = subscriber }
            return (replay, state.closedError)
        }
        for event in replay { subscriber.offer(event) }
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
        let timer = timeout.map { timeout in
            DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
                self?.removeWaiter(waiter)
                waiter.finish(throwing: QMPTimeoutError(operation: label, timeout: timeout))
            }
        }
        defer { timer.map(DeadlineScheduler.shared.cancel) }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<QMPEvent, any Error>) in
                waiter.setContinuation(continuation)
                let immediate = state.withLock { state -> Result<QMPEvent, any Error>? in
                    if let event = state.history.elements.first(where: { $0.sequence > cursor.sequence && filter.accepts($0) }) {
                        return .success(event)
                    }
                    if let error = state.closedError { return .failure(error) }
                    state.waiters.append(waiter)
                    return nil
                }
                switch immediate {
                case .success(let event): waiter.finish(returning: event)
                case .failure(let error): waiter.finish(throwing: error)
                case nil: break
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

    private func removeWaiter(_ waiter: EventWaiter) {
        state.withLock { $0.waiters.removeAll { $0 === waiter } }
    }

    /// Events after `cursor` still in the history, oldest first.
    func history(after cursor: EventCursor) -> [QMPEvent] {
        state.withLock { state in state.history.elements.filter { $0.sequence > cursor.sequence } }
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
