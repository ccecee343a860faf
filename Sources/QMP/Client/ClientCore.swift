import Logging
import QMPWire
import Synchronization

/// The state a connection shares between its callers and its reader thread.
///
/// A caller registers its pending call and queues its request in one step under the state lock, so the order of
/// the in-band queue is the order on the wire. Writes never block: whoever finds the write queue idle (a caller, or
/// the I/O thread) writes what the socket takes now, without holding the lock during the system call; the rest
/// waits in the bounded queue until the I/O thread sees the socket writable. A request still queued when its
/// caller gives up is withdrawn unsent. The I/O thread frames and parses replies and resumes the matching caller
/// directly, without a hop through an actor. In-band replies are matched first-in first-out (QEMU answers in-band
/// commands strictly in order, and an `id` costs QEMU ~30 µs per command); replies that carry an `id` are matched
/// by it. A message that cannot be used still ends exactly one item: the call it answered fails with a
/// ``QMPProtocolError``, so later replies are never shifted.
final class ClientCore: TransportReceiver {
    let transport: any MessageTransport
    let configuration: QMPClient.Configuration
    let state: Mutex<State>
    /// The transport's I/O thread as a task executor (for `withAffinity`), if it has one.
    let executor: (any TaskExecutor)?

    /// The configured logger when it logs at `trace` level: then every message is logged.
    let wireLogger: Logger?

    init(transport: any MessageTransport, configuration: QMPClient.Configuration) {
        self.transport = transport
        self.executor = transport.executor
        self.configuration = configuration
        self.wireLogger = configuration.logger.flatMap { $0.logLevel <= .trace ? $0 : nil }
        self.state = Mutex(State(historyLimit: configuration.eventHistorySize))
    }

    struct State: ~Copyable {
        /// Pending calls: in-band ones in the order they were sent, and those matched by id.
        var matcher = ReplyMatcher<PendingCall>()
        var nextID: Int64 = 1
        /// Set once the connection is over; later calls fail with it at once.
        var closedError: QMPConnectionError?
        var closing = false
        /// The greeting, once received, and a caller waiting for it.
        var greeting: QMPGreeting?
        var greetingWaiter: UnsafeContinuation<QMPGreeting, any Error>?
        var greetingFailure: (any Error)?
        /// Event order and the bounded history used by race-free waits.
        var eventSequence: UInt64 = 0
        var lastCommandEventSequence: UInt64 = 0
        var history: FIFOQueue<QMPEvent> = FIFOQueue()
        var historyCount = 0
        let historyLimit: Int
        var subscribers: [ObjectIdentifier: EventSubscriber] = [:]
        var waiters: [EventWaiter] = []
        /// Messages that broke the protocol but were survivable (garbage lines, unknown ids, ...).
        var anomalies: [QMPProtocolError] = []
        var anomalyCount = 0
        /// Requests not yet (fully) written, oldest first, and their total size.
        var writeQueue = FIFOQueue<OutgoingRequest>()
        var queuedBytes = 0
        /// A thread holds the writer role: it hands the head of `writeQueue` to the transport (outside the lock).
        var writing = false
        /// The transport took no more (`busy`): the queue waits for `transportReady()`.
        var transportBusy = false
        /// `transportReady()` came while a writer was between its send and recording `busy`.
        var readyWhileWriting = false
        /// Sequence number of the newest event evicted from the history.
        var evictedThrough: UInt64 = 0
        /// Resumed when the reader thread has finished and released the socket.
        var finished = false
        var finishWaiters: [UnsafeContinuation<Void, Never>] = []

        init(historyLimit: Int) { self.historyLimit = historyLimit }
    }

    // MARK: - Calls

    /// Sends a request and waits for its reply.
    func call(
        name: String, arguments: JSON?, id callerID: JSON?, outOfBand: Bool, fileDescriptors: [Int32],
        timeout: Duration?
    ) async throws -> JSON {
        let pending = PendingCall(name: name)
        if let timeout {
            let timer = DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
                self?.abandon(pending, with: QMPTimeoutError(operation: name, timeout: timeout))
            }
            defer { DeadlineScheduler.shared.cancel(timer) }
            return try await send(pending, arguments, callerID, outOfBand, fileDescriptors)
        }
        return try await send(pending, arguments, callerID, outOfBand, fileDescriptors)
    }

    private func send(
        _ pending: PendingCall, _ arguments: JSON?, _ callerID: JSON?, _ outOfBand: Bool, _ fileDescriptors: [Int32]
    ) async throws -> JSON {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<JSON, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let outcome = state.withLock { state -> Result<Bool, any Error> in
                    if let error = state.closedError { return .failure(error) }
                    if let error = pending.abandonedError { return .failure(error) }
                    var id = callerID
                    if id == nil && (outOfBand || configuration.sendsIDs) {
                        id = .int(state.nextID)
                        state.nextID += 1
                    }
                    if let id, state.matcher.isInUse(id) {
                        return .failure(QMPUsageError("id \(id) is already in use by a pending command"))
                    }
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(48)
                    QMPRequest.encode(pending.name, arguments: arguments, id: id, outOfBand: outOfBand, into: &bytes)
                    if !state.writeQueue.isEmpty && state.queuedBytes + bytes.count > configuration.maximumQueuedBytes {
                        return .failure(QMPConnectionError(
                            .sendQueueFull,
                            "'\(pending.name)' was not sent: \(state.queuedBytes) bytes already wait to be sent (the monitor is not reading; the limit is \(configuration.maximumQueuedBytes))"))
                    }
                    pending.id = id
                    pending.continuation = continuation
                    pending.isQuit = configuration.commandsEndingConnection.contains(pending.name)
                    _ = state.matcher.register(pending, id: id, inBand: !outOfBand)
                    state.lastCommandEventSequence = state.eventSequence
                    let request = OutgoingRequest(bytes: bytes, fileDescriptors: fileDescriptors, pending: pending)
                    pending.request = request
                    state.writeQueue.append(request)
                    state.queuedBytes += bytes.count
                    if state.writing || state.transportBusy { return .success(false) }
                    state.writing = true
                    return .success(true)
                }
                switch outcome {
                case .failure(let error):
                    continuation.resume(throwing: error)
                case .success(let write):
                    if configuration.messageObserver != nil || wireLogger != nil {
                        var bytes: [UInt8] = []
                        QMPRequest.encode(pending.name, arguments: arguments, id: pending.id, outOfBand: outOfBand, into: &bytes)
                        observe(.sent, (try? JSON(parsing: bytes)) ?? .null)
                    }
                    if write { flushWrites() }
                }
                if Task.isCancelled { abandon(pending, with: CancellationError()) }
            }
        } onCancel: {
            abandon(pending, with: CancellationError())
        }
    }

    /// Gives up on a call (timeout or cancellation): its caller gets `error` now. A request not yet begun on the
    /// wire is withdrawn unsent (no reply will come for it); otherwise its reply, when it comes, is dropped.
    func abandon(_ pending: PendingCall, with error: any Error) {
        let continuation = state.withLock { state in
            if pending.abandonedError == nil { pending.abandonedError = error }
            if let request = pending.request, !request.started {
                pending.request = nil
                if state.writeQueue.removeFirst(where: { $0 === request }) != nil {
                    state.queuedBytes -= request.bytes.count
                }
                state.matcher.withdraw(pending, id: pending.id)
            }
            return pending.takeContinuation()
        }
        continuation?.resume(throwing: error)
    }

    /// The event position of the most recent command sent.
    var lastCommandCursor: EventCursor {
        EventCursor(sequence: state.withLock { $0.lastCommandEventSequence })
    }

    var currentCursor: EventCursor {
        EventCursor(sequence: state.withLock { $0.eventSequence })
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
                    if let greeting = state.greeting { return .success(greeting) }
                    if let error = state.closedError { return .failure(error) }
                    if let error = state.greetingFailure { return .failure(error) }
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
            if state.greeting == nil && state.greetingFailure == nil { state.greetingFailure = error }
            defer { state.greetingWaiter = nil }
            return state.greetingWaiter
        }
        waiter?.resume(throwing: error)
    }

    // MARK: - Closing

    /// Ends the connection without waiting: pending calls fail with `closedByClient`, the I/O thread ends and
    /// releases the socket. For a client released without `close()`.
    func shutDown() {
        state.withLock { $0.closing = true }
        transport.shutdown()
    }

    /// Closes the connection: pending calls fail with `closedByClient`; returns when the reader has finished.
    func close() async {
        shutDown()
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.finished { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    var isClosed: Bool { state.withLock { $0.closedError != nil } }
    var closedError: QMPConnectionError? { state.withLock { $0.closedError } }

    /// Marks the connection over and fails everything that waits on it.
    func connectionLost(_ error: QMPConnectionError) {
        var failed: [(PendingCall, UnsafeContinuation<JSON, any Error>)] = []
        var succeeded: [UnsafeContinuation<JSON, any Error>] = []
        let (greetingWaiter, waiters, subscribers, finalError) = state.withLock { state in
            let finalError: QMPConnectionError
            if let existing = state.closedError {
                finalError = existing
            } else {
                finalError = state.closing
                    ? QMPConnectionError(.closedByClient, "the connection was closed by this client")
                    : error
                state.closedError = finalError
            }
            let (ordered, byIDOnly) = state.matcher.removeAll()
            for pending in ordered {
                if let continuation = pending.takeContinuation() {
                    // QEMU may close the socket before the reply to `quit` is read: that is the success `quit` asks for.
                    if pending.isQuit && finalError.code == .closedByPeer {
                        succeeded.append(continuation)
                    } else {
                        failed.append((pending, continuation))
                    }
                }
            }
            for pending in byIDOnly {
                if let continuation = pending.takeContinuation() { failed.append((pending, continuation)) }
            }
            for request in state.writeQueue.removeAll() { request.pending?.request = nil }
            state.queuedBytes = 0
            defer {
                state.greetingWaiter = nil
                state.waiters.removeAll()
            }
            return (state.greetingWaiter, state.waiters, Array(state.subscribers.values), finalError)
        }
        for continuation in succeeded { continuation.resume(returning: .object([:])) }
        for (pending, continuation) in failed {
            var error = finalError
            if finalError.code == .closedByPeer {
                error.message = "the monitor closed the connection while '\(pending.name)' was pending"
            }
            continuation.resume(throwing: error)
        }
        greetingWaiter?.resume(throwing: finalError)
        for waiter in waiters { waiter.finish(throwing: finalError) }
        for subscriber in subscribers { subscriber.finish(finalError) }
    }

    /// Called by the reader thread once it has stopped using the socket.
    func readerFinished() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.finishWaiters.removeAll() }
            return state.finishWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Hands a message to the observer and the wire logger (redacted there).
    func observe(_ direction: QMPClient.MessageDirection, _ message: JSON) {
        configuration.messageObserver?(direction, message)
        wireLogger?.trace("qmp \(direction.rawValue)", metadata: [
            "qmp.direction": .string(direction.rawValue),
            "qmp.message": .string(Redaction.redact(message).serialized()),
        ])
    }

    func recordAnomaly(_ anomaly: QMPProtocolError) {
        configuration.logger?.debug("qmp skipped input", metadata: [
            "qmp.reason": .string(anomaly.reason),
            "qmp.message": .string(anomaly.message.map { Redaction.redact($0).serialized() } ?? ""),
        ])
        state.withLock { state in
            state.anomalyCount += 1
            if state.anomalies.count >= 100 { state.anomalies.removeFirst() }
            state.anomalies.append(anomaly)
        }
    }
}

/// A request waiting in the write queue.
///
/// `@unchecked Sendable`: `started` and `pending` are read and written only under `ClientCore.state`'s lock.
final class OutgoingRequest: @unchecked Sendable {
    let bytes: [UInt8]
    let fileDescriptors: [Int32]
    /// Set once a writer has taken it: from then on it cannot be withdrawn (part may be on the wire).
    var started = false
    weak var pending: PendingCall?

    init(bytes: [UInt8], fileDescriptors: [Int32], pending: PendingCall) {
        self.bytes = bytes
        self.fileDescriptors = fileDescriptors
        self.pending = pending
    }
}

/// A command waiting for its reply.
///
/// `@unchecked Sendable`: every mutable field is read and written only while holding `ClientCore.state`'s lock.
final class PendingCall: @unchecked Sendable {
    let name: String
    var id: JSON?
    /// Its request while still in the write queue and not begun.
    var request: OutgoingRequest?
    var isQuit = false
    var continuation: UnsafeContinuation<JSON, any Error>?
    /// Set when the call was given up (timeout, cancellation), possibly before it was registered.
    var abandonedError: (any Error)?

    init(name: String) { self.name = name }

    /// Takes the continuation, leaving the call abandoned. Call with the state lock held.
    func takeContinuation() -> UnsafeContinuation<JSON, any Error>? {
        defer { continuation = nil }
        return continuation
    }
}

/// A call that was used wrongly (not a QMP error, not a connection error).
public struct QMPUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
