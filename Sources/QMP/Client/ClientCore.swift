import Logging
import QMPWire
import Synchronization

/// The state a connection shares between its callers and its reader thread.
///
/// A caller registers its pending call and queues its request in one step under the state lock, so the order of
/// the in-band queue is the order on the wire. Writes never block: whoever finds the write queue idle (a caller, or
/// the I/O thread) writes what the socket takes now, without holding the lock during the system call; the rest
/// waits in the bounded queue (`OutboundQueue`) until the transport is ready again. A request still queued when its
/// caller gives up is withdrawn unsent. The I/O thread frames and parses replies and resumes the matching caller
/// directly, without a hop through an actor. In-band replies are matched first-in first-out (QEMU answers in-band
/// commands strictly in order, and an `id` costs QEMU ~30 µs per command); replies that carry an `id` are matched
/// by it. A message that cannot be used still ends exactly one item: the call it answered fails with a
/// ``QMPProtocolError``, so later replies are never shifted.
final class ClientCore: TransportReceiver, OutboundQueueOwner {
    let transport: any MessageTransport
    let configuration: QMPClient.Configuration
    let state: Mutex<State>
    /// The transport's I/O thread as a task executor (for `withAffinity`), if it has one.
    let executor: (any TaskExecutor)?

    /// Signalled when the transport has finished and released the connection.
    let finish = FinishSignal()

    /// The configured logger when it logs at `trace` level: then every message is logged.
    let wireLogger: Logger?

    init(transport: any MessageTransport, configuration: QMPClient.Configuration) {
        self.transport = transport
        self.executor = transport.executor
        self.configuration = configuration
        self.wireLogger = configuration.logger.flatMap { $0.logLevel <= .trace ? $0 : nil }
        self.state = Mutex(State(ClientProtocol(
            sendsIDs: configuration.sendsIDs, endingCommands: configuration.commandsEndingConnection,
            historyLimit: configuration.eventHistorySize, maximumQueuedBytes: configuration.maximumQueuedBytes)))
    }

    struct State: ~Copyable {
        /// The protocol's decisions (greeting, queue, matching, events, the end), a value type.
        var machine: ClientProtocol
        /// A caller waiting for the greeting.
        var greetingWaiter: UnsafeContinuation<QMPGreeting, any Error>?
        /// The reader has handed the greeting to the observer and the logger: only then may a caller proceed to
        /// send, so a transcript always has the greeting before `qmp_capabilities`.
        var greetingObserved = false
        var subscribers: [ObjectIdentifier: EventSubscriber] = [:]
        var waiters: [EventWaiter] = []
        /// The one scheduled deadline that enforces every pending call's time limit (see ``CallWatchdog``).
        var watchdog = CallWatchdog()

        init(_ machine: consuming ClientProtocol) { self.machine = machine }
    }

    // MARK: - Calls

    /// Sends a request and waits for its reply (at most `timeout`).
    ///
    /// This is every command's path, so it is lean: it runs in its caller's isolation (no hop on the way in), has
    /// one cancellation handler and one continuation, and takes the state lock once to register the call, queue
    /// its request and, when the write queue is idle, take the request back out to write it at once. The time
    /// limit costs a clock read: the deadline is kept with the call, and one scheduled watchdog per connection
    /// (``CallWatchdog``) enforces all of them, so a call that is answered in time schedules and cancels nothing.
    nonisolated(nonsending) func call(
        name: String, arguments: JSON?, id callerID: JSON?, outOfBand: Bool, fileDescriptors: [Int32],
        timeout: Duration?
    ) async throws -> JSON {
        let pending = PendingCall(name: name, timeout: timeout)
        // A cancellation before the call is registered is seen by `ClientProtocol.call` (`abandonedError`, set by
        // the handler under the lock), one after it by `abandon`: no separate `Task.isCancelled` checks.
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<JSON, any Error>) in
                start(pending, continuation, arguments, callerID, outOfBand, fileDescriptors)
            }
        } onCancel: {
            abandon(pending, with: CancellationError())
        }
    }

    /// Registers the call and queues its request (and takes it back out to write when the queue is idle) under one
    /// lock, then writes outside it.
    ///
    /// Never inlined: inside the async closure that calls it, each of its stack temporaries would become a task
    /// allocation (`swift_task_alloc`, nine a call, ~1 300 instructions; callgrind).
    @inline(never)
    private func start(
        _ pending: PendingCall, _ continuation: UnsafeContinuation<JSON, any Error>, _ arguments: JSON?,
        _ callerID: JSON?, _ outOfBand: Bool, _ fileDescriptors: [Int32]
    ) {
        let deadline = pending.timeout.map { ContinuousClock.now + $0 }
        var arming: CallWatchdog.Arming?
        let outcome = state.withLock { state -> Result<OutboundMessage?, any Error> in
            switch state.machine.call(
                pending, arguments: arguments, id: callerID, outOfBand: outOfBand, fileDescriptors: fileDescriptors)
            {
            case .failure(let error): return .failure(error)
            case .success(let write):
                pending.continuation = continuation
                if let deadline {
                    pending.deadline = deadline
                    arming = state.watchdog.cover(deadline)
                }
                return .success(write ? state.machine.outbound.next() : nil)
            }
        }
        switch outcome {
        case .failure(let error):
            continuation.resume(throwing: error)
        case .success(let first):
            if configuration.messageObserver != nil || wireLogger != nil {
                var bytes: [UInt8] = []
                QMPRequest.encode(pending.name, arguments: arguments, id: pending.id, outOfBand: outOfBand, into: &bytes)
                observe(.sent, (try? JSON(parsing: bytes)) ?? .null)
            }
            if let first { flushWrites(first: first) }
        }
        if let arming { arm(arming) }
    }

    /// Gives up on a call (timeout or cancellation): its caller gets `error` now. A request not yet begun on the
    /// wire is withdrawn unsent (no reply will come for it); otherwise its reply, when it comes, is dropped.
    func abandon(_ pending: PendingCall, with error: any Error) {
        let continuation = state.withLock { state in
            state.machine.abandon(pending, with: error)
            return pending.takeContinuation()
        }
        continuation?.resume(throwing: error)
    }

    // MARK: - Time limits

    /// Schedules the watchdog `arming` describes (cancelling the one it replaces), outside the state lock.
    func arm(_ arming: CallWatchdog.Arming) {
        if let replaced = arming.replaced { DeadlineScheduler.shared.cancel(replaced) }
        let generation = arming.generation
        let token = DeadlineScheduler.shared.schedule(at: arming.deadline) { [weak self] in
            self?.watchdogFired(generation)
        }
        let orphan = state.withLock { $0.watchdog.store(token, generation: generation) }
        if let orphan { DeadlineScheduler.shared.cancel(orphan) }
    }

    /// A watchdog's deadline passed: every call whose time limit has run out fails with ``QMPTimeoutError`` (a
    /// request still queued is withdrawn unsent), and the watchdog is armed again for the earliest deadline left.
    func watchdogFired(_ generation: UInt64) {
        let now = ContinuousClock.now
        var expired: [(UnsafeContinuation<JSON, any Error>, QMPTimeoutError)] = []
        let arming = state.withLock { state -> CallWatchdog.Arming? in
            state.watchdog.fired(generation)
            var earliest: ContinuousClock.Instant?
            for call in state.machine.matcher.pending {
                guard call.continuation != nil, let deadline = call.deadline, let timeout = call.timeout else { continue }
                if deadline <= now {
                    let error = QMPTimeoutError(operation: call.name, timeout: timeout)
                    state.machine.abandon(call, with: error)
                    if let continuation = call.takeContinuation() { expired.append((continuation, error)) }
                } else if earliest.map({ deadline < $0 }) ?? true {
                    earliest = deadline
                }
            }
            return earliest.flatMap { state.watchdog.cover($0) }
        }
        for (continuation, error) in expired { continuation.resume(throwing: error) }
        if let arming { arm(arming) }
    }

    /// The event position of the most recent command sent.
    var lastCommandCursor: EventCursor {
        EventCursor(sequence: state.withLock { $0.machine.lastCommandEventSequence })
    }

    var currentCursor: EventCursor {
        EventCursor(sequence: state.withLock { $0.machine.eventSequence })
    }

    // MARK: - Greeting

    /// Waits for the greeting at most `timeout`; a failure names `limit` (the whole connect's time limit).
    func waitForGreeting(timeout: Duration, limit: Duration) async throws -> QMPGreeting {
        let timer = DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
            self?.failGreeting(QMPConnectionError(
                .noGreeting,
                "no QMP greeting within \(limit.secondsText): another client may hold the monitor (QMP serves one at a time), or this is not a QMP socket"))
        }
        defer { DeadlineScheduler.shared.cancel(timer) }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<QMPGreeting, any Error>) in
                let immediate: Result<QMPGreeting, any Error>? = state.withLock { state in
                    if state.greetingObserved, let greeting = state.machine.greeting { return .success(greeting) }
                    if let error = state.machine.closedError { return .failure(error) }
                    if let error = state.machine.greetingFailure { return .failure(error) }
                    state.greetingWaiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            failGreeting(CancellationError())
        }
    }

    func failGreeting(_ error: any Error) {
        let waiter = state.withLock { state in
            _ = state.machine.failGreeting(error)
            defer { state.greetingWaiter = nil }
            return state.greetingWaiter
        }
        waiter?.resume(throwing: error)
    }

    // MARK: - Closing

    /// Ends the connection without waiting: pending calls fail with `closedByClient`, the I/O thread ends and
    /// releases the socket. For a client released without `close()`.
    func shutDown() {
        state.withLock { $0.machine.closing = true }
        transport.shutdown()
    }

    /// Closes the connection: pending calls fail with `closedByClient`; returns when the reader has finished.
    func close() async {
        shutDown()
        await finish.wait()
    }

    var isClosed: Bool { state.withLock { $0.machine.closedError != nil } }
    var closedError: QMPConnectionError? { state.withLock { $0.machine.closedError } }

    /// Marks the connection over and fails everything that waits on it.
    func connectionLost(_ error: QMPConnectionError) {
        var watchdog: DeadlineScheduler.Token?
        let (ending, failed, succeeded, greetingWaiter, waiters, subscribers) = state.withLock { state in
            watchdog = state.watchdog.disarm()
            let ending = state.machine.close(error)
            let failed = ending.failed.compactMap { call, error in call.takeContinuation().map { ($0, error) } }
            let succeeded = ending.succeeded.compactMap { $0.takeContinuation() }
            defer {
                state.greetingWaiter = nil
                state.waiters.removeAll()
            }
            return (ending, failed, succeeded, state.greetingWaiter, state.waiters, Array(state.subscribers.values))
        }
        for continuation in succeeded { continuation.resume(returning: .object([:])) }
        for (continuation, error) in failed { continuation.resume(throwing: error) }
        greetingWaiter?.resume(throwing: ending.error)
        for waiter in waiters { waiter.finish(throwing: ending.error) }
        for subscriber in subscribers { subscriber.finish(ending.error) }
        if let watchdog { DeadlineScheduler.shared.cancel(watchdog) }
    }

    /// Hands a message to the observer and the wire logger (redacted there).
    func observe(_ direction: QMPClient.MessageDirection, _ message: JSON) {
        configuration.messageObserver?(direction, message)
        wireLogger?.trace("qmp \(direction.rawValue)", metadata: [
            "qmp.direction": .string(direction.rawValue),
            "qmp.message": .string(Redaction.redact(message).serialized()),
        ])
    }

    /// Logs a skipped input at `debug` (the machine has counted it).
    func logAnomaly(_ anomaly: QMPProtocolError) {
        configuration.logger?.debug("qmp skipped input", metadata: [
            "qmp.reason": .string(anomaly.reason),
            "qmp.message": .string(anomaly.message.map { Redaction.redact($0).serialized() } ?? ""),
        ])
    }
}

/// A command waiting for its reply.
///
/// `@unchecked Sendable`: every mutable field is read and written only while holding `ClientCore.state`'s lock.
final class PendingCall: @unchecked Sendable {
    let name: String
    /// The call's time limit, if it has one.
    let timeout: Duration?
    /// When the time limit runs out (set when the call is registered).
    var deadline: ContinuousClock.Instant?
    var id: JSON?
    /// Its request's place in the write queue (withdrawn unsent when the caller gives up first).
    var ticket: UInt64?
    var isQuit = false
    var continuation: UnsafeContinuation<JSON, any Error>?
    /// Set when the call was given up (timeout, cancellation), possibly before it was registered.
    var abandonedError: (any Error)?

    init(name: String, timeout: Duration? = nil) {
        self.name = name
        self.timeout = timeout
    }

    /// Takes the continuation, leaving the call abandoned. Call with the state lock held.
    func takeContinuation() -> UnsafeContinuation<JSON, any Error>? {
        defer { continuation = nil }
        return continuation
    }
}

/// A call that was used wrongly (not a QMP error, not a connection error).
public struct QMPUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// An error whose ``description`` is `description`: a lowercase clause saying what was wrong with the call,
    /// e.g. `id 7 is already in use by a pending command`.
    public init(_ description: String) { self.description = description }
}

/// The time limits of a connection's pending calls, enforced by one scheduled deadline.
///
/// A call keeps its own deadline; the watchdog is scheduled at a moment no later than the earliest deadline of any
/// pending call. When it fires, the calls whose limit ran out fail and it is armed again for the earliest deadline
/// left, if any. A call answered in time costs nothing here beyond a comparison: with equal limits, later calls
/// have later deadlines, so one watchdog covers a whole run of calls. Kept under the client's state lock;
/// scheduling and cancelling happen outside it (``ClientCore/arm(_:)``).
struct CallWatchdog {
    /// What to schedule: a watchdog at `deadline`, and the token of the one it replaces (to cancel).
    struct Arming {
        var deadline: ContinuousClock.Instant
        var generation: UInt64
        var replaced: DeadlineScheduler.Token?
    }

    /// The armed watchdog's deadline, and its token once scheduled.
    private var deadline: ContinuousClock.Instant?
    private var token: DeadlineScheduler.Token?
    private var generation: UInt64 = 0
    /// How many times a watchdog was armed (for tests: a run of calls answered in time arms one at most).
    private(set) var armings = 0

    /// A call with `deadline` was registered: the arming to schedule when no watchdog fires by then.
    mutating func cover(_ deadline: ContinuousClock.Instant) -> Arming? {
        if let armed = self.deadline, armed <= deadline { return nil }
        generation += 1
        armings += 1
        defer {
            self.deadline = deadline
            token = nil
        }
        return Arming(deadline: deadline, generation: generation, replaced: token)
    }

    /// The watchdog of `generation` was scheduled as `token`; returns the token when that watchdog was replaced or
    /// fired meanwhile (the caller cancels it).
    mutating func store(_ token: DeadlineScheduler.Token, generation: UInt64) -> DeadlineScheduler.Token? {
        guard generation == self.generation, deadline != nil else { return token }
        self.token = token
        return nil
    }

    /// The watchdog of `generation` fired: none is armed any more (unless it had been replaced).
    mutating func fired(_ generation: UInt64) {
        guard generation == self.generation else { return }
        deadline = nil
        token = nil
    }

    /// The connection is over: returns the armed watchdog's token to cancel.
    mutating func disarm() -> DeadlineScheduler.Token? {
        defer {
            deadline = nil
            token = nil
            generation += 1
        }
        return token
    }
}
