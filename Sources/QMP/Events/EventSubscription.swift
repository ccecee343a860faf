import QMPWire
import Synchronization

/// What a subscription does when its buffer is full.
public enum EventOverflowPolicy: Sendable, Hashable {
    /// Keep the newest events, dropping the oldest buffered one.
    case dropOldest
    /// Keep what is buffered, dropping the event that arrived.
    case dropNewest
}

/// A stream of events for one consumer, with its own bounded buffer.
///
/// Any number of subscriptions can be open on one client; each sees every event its filter accepts. A consumer
/// that falls behind loses events only from its own buffer, and ``droppedCount`` says how many: nothing is dropped
/// silently. Iteration ends (`nil`) when the client is closed, and throws `QMPConnectionError` when the
/// monitor goes away, after the buffered events. Ending the subscription (``cancel()`` or releasing it) stops
/// delivery.
///
/// ```swift
/// let events = client.events(.names("DEVICE_DELETED"))
/// for try await event in events { print(event.data) }
/// ```
public final class QMPEventSubscription: AsyncSequence, Sendable {
    public typealias Element = QMPEvent

    let subscriber: EventSubscriber
    private let core: ClientCore

    init(subscriber: EventSubscriber, core: ClientCore) {
        self.subscriber = subscriber
        self.core = core
    }

    deinit { core.unsubscribe(subscriber) }

    /// Events dropped so far because this consumer's buffer was full.
    public var droppedCount: Int { subscriber.droppedCount }

    /// Stops delivery; a pending `next()` returns `nil`.
    public func cancel() {
        core.unsubscribe(subscriber)
        subscriber.finish(nil)
    }

    /// The next event, waiting for one; `nil` when the subscription or the client was closed.
    public func next() async throws -> QMPEvent? {
        try await subscriber.next()
    }

    /// Iterates the subscription's events (``next()``); all iterators of one subscription share its buffer.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: QMPEventSubscription
        public mutating func next() async throws -> QMPEvent? { try await subscription.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }
}

/// The buffer behind a subscription, fed by the reader thread.
final class EventSubscriber: Sendable {
    let filter: QMPEventFilter
    private let capacity: Int
    private let policy: EventOverflowPolicy

    private struct State {
        var buffer = FIFOQueue<QMPEvent>()
        var dropped = 0
        var waiter: UnsafeContinuation<QMPEvent?, any Error>?
        /// Set once finished: `nil` error ends iteration normally.
        var finished = false
        var error: (any Error)?
        /// While the history is replayed (``hold()`` … ``release(after:)``), live events wait here.
        var holding = false
        var held: [QMPEvent] = []
    }

    private let state = Mutex(State())

    init(filter: QMPEventFilter, capacity: Int, policy: EventOverflowPolicy) {
        self.filter = filter
        self.capacity = max(1, capacity)
        self.policy = policy
    }

    var droppedCount: Int { state.withLock { $0.dropped } }

    func offer(_ event: QMPEvent) {
        let waiter = state.withLock { state -> UnsafeContinuation<QMPEvent?, any Error>? in
            if state.holding {
                state.held.append(event)
                return nil
            }
            return enqueue(event, &state)
        }
        waiter?.resume(returning: event)
    }

    /// Live events wait until ``release(after:)``: the history replay goes first.
    func hold() {
        state.withLock { $0.holding = true }
    }

    /// Delivers `replayed` (history events, oldest first), then the live events that came meanwhile, in order.
    func release(after replayed: [QMPEvent]) {
        let resumed = state.withLock { state -> (UnsafeContinuation<QMPEvent?, any Error>, QMPEvent)? in
            var resumed: (UnsafeContinuation<QMPEvent?, any Error>, QMPEvent)?
            for event in replayed + state.held {
                if let waiter = enqueue(event, &state) { resumed = (waiter, event) }
            }
            state.held = []
            state.holding = false
            return resumed
        }
        if let (waiter, event) = resumed { waiter.resume(returning: event) }
    }

    /// Hands `event` to the waiting reader (returned, to resume outside the lock) or buffers it.
    private func enqueue(_ event: QMPEvent, _ state: inout State) -> UnsafeContinuation<QMPEvent?, any Error>? {
        guard !state.finished else { return nil }
        if let waiter = state.waiter {
            state.waiter = nil
            return waiter
        }
        if state.buffer.count >= capacity {
            state.dropped += 1
            guard policy == .dropOldest else { return nil }
            _ = state.buffer.popFirst()
        }
        state.buffer.append(event)
        return nil
    }

    /// Ends the stream; `error` (a connection error) is thrown after the buffered events, `nil` ends it quietly.
    func finish(_ error: QMPConnectionError?) {
        let waiter = state.withLock { state -> UnsafeContinuation<QMPEvent?, any Error>? in
            guard !state.finished else { return nil }
            state.finished = true
            if let error, error.code != .closedByClient { state.error = error }
            defer { state.waiter = nil }
            return state.waiter
        }
        if let waiter {
            if let error, error.code != .closedByClient { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    func next() async throws -> QMPEvent? {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<QMPEvent?, any Error>) in
                let immediate = state.withLock { state -> Result<QMPEvent?, any Error>? in
                    if let event = state.buffer.popFirst() { return .success(event) }
                    if state.finished {
                        if let error = state.error {
                            state.error = nil
                            return .failure(error)
                        }
                        return .success(nil)
                    }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
