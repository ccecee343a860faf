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

        init(_ machine: consuming ClientProtocol) { self.machine = machine }
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
                    let admitted = state.machine.call(
                        pending, arguments: arguments, id: callerID, outOfBand: outOfBand, fileDescriptors: fileDescriptors)
                    if case .success = admitted { pending.continuation = continuation }
                    return admitted
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
            state.machine.abandon(pending, with: error)
            return pending.takeContinuation()
        }
        continuation?.resume(throwing: error)
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
        let (ending, failed, succeeded, greetingWaiter, waiters, subscribers) = state.withLock { state in
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
    var id: JSON?
    /// Its request's place in the write queue (withdrawn unsent when the caller gives up first).
    var ticket: UInt64?
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
    /// An error whose ``description`` is `description`: a lowercase clause saying what was wrong with the call,
    /// e.g. `id 7 is already in use by a pending command`.
    public init(_ description: String) { self.description = description }
}
