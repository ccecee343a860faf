public import Logging
public import QMP
import QMPWire
import Synchronization

/// A client for the QEMU guest agent (qemu-ga) on its socket: the host side of the guest's
/// `org.qemu.guest_agent.0` virtio-serial port, e.g. QEMU's
/// `-chardev socket,path=qga.sock,server=on,wait=off,id=qga0 -device virtio-serial-pci
/// -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0`.
///
/// The protocol is ``GuestAgentProtocol``: the client synchronises on connect and again before the next command
/// after any time-out or protocol error, matches replies by id, and discards (and counts, see ``statistics``)
/// stale replies. Calls from many tasks are served one at a time, as the agent itself does. Every call has a
/// deadline; nothing waits forever. Socket reads run on a thread of the client's own.
///
/// ```swift
/// let agent = try await GuestAgentClient.connect(to: .unix(path: "/tmp/qga.sock"))
/// try await agent.ping()
/// let result = try await agent.run("/bin/uname", arguments: ["-r"])
/// await agent.close()
/// ```
public final class GuestAgentClient: GuestAgentConnection, ByteStreamClient {
    /// Time limits of a client.
    public struct Configuration: Sendable {
        /// The limit of a call that gives none, synchronisation included.
        public var defaultTimeout: Duration = .seconds(30)
        /// How long one synchronisation attempt waits before it sends a fresh one (an agent that is not running
        /// yet may never see the first).
        public var synchronizationAttempt: Duration = .seconds(1)
        /// How long a command that ends the connection waits for an error reply before it counts as done.
        public var endingGrace: Duration = .seconds(2)
        /// Called with every message sent (on the caller's thread, before it is written) and received (on the
        /// client's I/O thread), as `QMPClient.Configuration.messageObserver` is for a monitor: for transcripts.
        /// Must be fast and must not block. Gets the messages as they are (the synchronisation's `0xFF` byte left
        /// out): redact them with `Redaction.redact(_:)` before showing or storing them.
        public var messageObserver: (@Sendable (QMPClient.MessageDirection, JSON) -> Void)?
        /// Where the wire goes at `trace` level: every message sent and received, secrets redacted (`Redaction`:
        /// the password of `guest-set-user-password`, the contents of `guest-file-write`), with the message as
        /// metadata `qga.message` and its direction as `qga.direction`. Nothing is formatted unless the logger's
        /// level is `trace`.
        public var logger: Logger?

        /// The defaults: 30 s per call, a fresh synchronisation every second, 2 s of grace for a command that
        /// ends the connection, no observer and no logger.
        public init() {}
    }

    /// Counters of what the protocol skipped, for diagnostics and tests.
    public struct Statistics: Sendable, Equatable {
        /// Replies meant for earlier clients or abandoned commands.
        public var staleReplies: Int
        /// Parse-error replies to the synchronisation byte.
        public var strayParseErrors: Int
        /// Input that was not JSON.
        public var malformedInputs: Int
        /// Completed synchronisations.
        public var synchronizations: Int
    }

    private enum Outcome: Sendable {
        case synchronized
        case reply(JSON)
        case ended
    }

    /// The exchange in flight: a synchronisation or a command, matched by its id.
    ///
    /// `@unchecked Sendable`: `ticket` is read and written only under the client's state lock, and the continuation
    /// has a lock of its own.
    private final class Waiter: @unchecked Sendable {
        enum Kind: Equatable { case sync(Int64), reply(Int64), end(Int64) }
        let kind: Kind
        let continuation = Mutex<UnsafeContinuation<Outcome, any Error>?>(nil)
        /// Its request's place in `outbound`, withdrawn unsent when the exchange ends first.
        var ticket: UInt64?
        init(_ kind: Kind) { self.kind = kind }

        /// The id the agent answers with (the synchronisation's or the command's).
        var id: JSON {
            switch kind {
            case .sync(let id), .reply(let id), .end(let id): .int(id)
            }
        }

        func take() -> UnsafeContinuation<Outcome, any Error>? {
            continuation.withLock { value in
                defer { value = nil }
                return value
            }
        }
    }

    private struct State {
        var proto = GuestAgentProtocol()
        /// The exchange in flight, by its id: at most one (the agent answers one at a time, and ``withTurn(_:)``
        /// serialises the callers). Which reply it is, the protocol machine decides (``GuestAgentProtocol``: sync
        /// delimiter, stale replies); this shares with QMP and HMP only the bookkeeping of calls (registration,
        /// match by id, withdrawal of an unsent request, failing all at the end).
        var pending = PendingCalls<Waiter>()
        var nextID = Int64.random(in: 1...(1 << 40))
        var lifecycle = ConnectionLifecycle()
        var turnBusy = false
        var turnQueue: [UnsafeContinuation<Void, Never>] = []
        /// Requests not yet handed to the socket (at most the current exchange's), and the writer role.
        var outbound = OutboundQueue(limit: 64 << 20)
    }

    private let transport: SocketTransport
    private let state = Mutex(State())
    package let finish = FinishSignal()
    /// The client's limits.
    public let configuration: Configuration
    /// `qga:` followed by the address connected to, e.g. `qga:/tmp/qga.sock`; error messages name the agent by it.
    public let endpoint: String

    /// Where the wire goes; `nil` when no one looks (no observer, no `trace` logger).
    private let wire: AgentWire?
    /// Whether anyone looks at the wire.
    private var observesWire: Bool { wire != nil }

    private init(transport: SocketTransport, endpoint: String, configuration: Configuration) {
        self.transport = transport
        self.endpoint = endpoint
        self.configuration = configuration
        self.wire = AgentWire(configuration)
        if wire != nil { state.withLock { $0.proto.keepsReceivedMessages = true } }
    }

    /// Hands a message to the observer and the wire logger (redacted there). Never under the state lock.
    private func observe(_ direction: QMPClient.MessageDirection, _ message: JSON) {
        wire?.observe(direction, message, endpoint: endpoint)
    }

    /// A request's bytes as the message they carry (the synchronisation's leading `0xFF` dropped).
    private static func message(in bytes: [UInt8]) -> JSON {
        let start = bytes.first == GuestAgentProtocol.delimiter ? 1 : 0
        return (try? JSON(parsing: Array(bytes[start...]))) ?? .null
    }

    /// Connects to the agent's socket and, unless `synchronizes` is false, synchronises (retrying within
    /// `configuration.defaultTimeout`).
    ///
    /// The connect is bounded by `configuration.defaultTimeout` and blocks no thread: an agent socket whose listen
    /// queue is full (QEMU stopped or busy) fails with `QMPConnectionError` code `timedOut` at that limit.
    /// Without synchronising, the first call (or ``synchronize(timeout:)``) does it: for a guest that is still
    /// booting, whose agent cannot answer yet.
    public static func connect(
        to address: MonitorAddress, configuration: Configuration = Configuration(), synchronizes: Bool = true
    ) async throws -> GuestAgentClient {
        let transport = try await SocketTransport.connect(
            to: address, timeout: configuration.defaultTimeout, framing: .bytes,
            endMessage: "the guest agent connection ended")
        let client = start(transport, address: address, configuration: configuration)
        guard synchronizes else { return client }
        do {
            try await client.synchronize()
            return client
        } catch {
            await client.close()
            throw error
        }
    }

    /// Connects to the agent's socket without synchronising yet, on the caller's thread.
    ///
    /// Deprecated: it blocks the calling thread while it connects (up to `configuration.defaultTimeout`, when the
    /// agent's listen queue is full), which no call of this package may do. Use
    /// ``connect(to:configuration:synchronizes:)`` with `synchronizes: false`, which connects within the same
    /// limit without blocking a thread.
    @available(*, deprecated, message: "use connect(to:configuration:synchronizes: false), which blocks no thread")
    public static func open(_ address: MonitorAddress, configuration: Configuration = Configuration()) throws
        -> GuestAgentClient
    {
        let transport = SocketTransport(
            connection: try SocketConnection.connect(to: address, blockingAtMost: configuration.defaultTimeout),
            framing: .bytes, endMessage: "the guest agent connection ended")
        return start(transport, address: address, configuration: configuration)
    }

    private static func start(_ transport: SocketTransport, address: MonitorAddress, configuration: Configuration)
        -> GuestAgentClient
    {
        let client = GuestAgentClient(transport: transport, endpoint: "qga:\(address)", configuration: configuration)
        transport.start(ByteStreamReceiver(client))
        return client
    }

    /// What the protocol has skipped so far.
    public var statistics: Statistics {
        state.withLock { state in
            Statistics(
                staleReplies: state.proto.staleReplies, strayParseErrors: state.proto.strayParseErrors,
                malformedInputs: state.proto.malformedInputs, synchronizations: state.proto.synchronizations)
        }
    }

    // MARK: - Calls

    /// Synchronises with the agent, sending a fresh `guest-sync-delimited` every
    /// `configuration.synchronizationAttempt` until one is answered or `timeout` (default: the configured one)
    /// has passed. Waits for a booting guest's agent without sleeping: each attempt ends when its answer arrives.
    public func synchronize(timeout: Duration? = nil) async throws {
        let limit = timeout ?? configuration.defaultTimeout
        let deadline = ContinuousClock.now + limit
        try await withTurn {
            try await synchronizeInTurn(until: deadline, limit: limit)
        }
    }

    /// Runs one agent command and returns its `return` value (an empty object when it has none).
    ///
    /// Waits its turn behind calls from other tasks, synchronises first when the last exchange failed or none
    /// happened yet, then sends the command with a fresh id and waits for the reply with that id. A command from
    /// ``GuestAgentCommands/endingConnection`` goes to ``executeEndingConnection(_:arguments:timeout:)`` and
    /// returns an empty object.
    ///
    /// - Parameters:
    ///   - command: The agent command, e.g. `guest-get-osinfo`.
    ///   - arguments: Its arguments, or `nil` for none.
    ///   - timeout: The limit for all of it, counted from the call: waiting for the turn, synchronisation,
    ///     sending and the reply; `nil` uses ``Configuration/defaultTimeout``.
    /// - Throws: `QMPError` for an error reply (the connection stays usable), `QMPTimeoutError` when time runs
    ///   out (the next call synchronises again), `QMPConnectionError` when the connection is gone,
    ///   `CancellationError` when the task is cancelled.
    public func execute(_ command: String, arguments: JSONObject?, timeout: Duration?) async throws -> JSON {
        if GuestAgentCommands.endingConnection.contains(command) {
            try await executeEndingConnection(command, arguments: arguments, timeout: timeout)
            return .object([:])
        }
        let limit = timeout ?? configuration.defaultTimeout
        let deadline = ContinuousClock.now + limit
        return try await withTurn {
            if !isReady { try await synchronizeInTurn(until: deadline, limit: limit) }
            let outcome = try await exchange(command, until: deadline, limit: limit) { proto, id in
                (try proto.command(command, arguments: arguments, id: id), .reply(id))
            }
            guard case .reply(let value) = outcome else { return .object([:]) }
            return value
        }
    }

    /// Runs a command that answers only when it fails (`guest-shutdown`, `guest-suspend-*`).
    ///
    /// Succeeds when the connection ends or when no reply arrived within ``Configuration/endingGrace`` (or
    /// `timeout`, if that is shorter) after sending: the agent never confirms these commands.
    ///
    /// - Parameters:
    ///   - command: The agent command.
    ///   - arguments: Its arguments, or `nil` for none.
    ///   - timeout: The limit for waiting for the turn, synchronising and the grace period together, counted
    ///     from the call; `nil` uses ``Configuration/defaultTimeout``.
    /// - Throws: `QMPError` when the agent refused the command within the grace period, `QMPTimeoutError` when
    ///   synchronisation did not finish in time, `QMPConnectionError` when the connection was already gone.
    public func executeEndingConnection(_ command: String, arguments: JSONObject?, timeout: Duration?) async throws {
        let limit = timeout ?? configuration.defaultTimeout
        let deadline = ContinuousClock.now + limit
        try await withTurn {
            if !isReady { try await synchronizeInTurn(until: deadline, limit: limit) }
            _ = try await exchange(command, until: min(deadline, .now + configuration.endingGrace), limit: limit) {
                proto, id in
                (try proto.command(command, arguments: arguments, id: id, endsConnection: true), .end(id))
            }
        }
    }

    /// Closes the socket and returns once the reader thread has stopped; a call still waiting fails with
    /// `QMPConnectionError` (`closedByClient`). Calling it again returns at once.
    public func close() async {
        state.withLock { $0.lifecycle.closing = true }
        transport.shutdown()
        await finish.wait()
    }

    // MARK: - Internals

    private var isReady: Bool { state.withLock { $0.proto.isReady } }

    /// Runs `body` when no other call is running (the agent answers one command at a time).
    private func withTurn<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let now = state.withLock { state in
                if state.turnBusy {
                    state.turnQueue.append(continuation)
                    return false
                }
                state.turnBusy = true
                return true
            }
            if now { continuation.resume() }
        }
        defer {
            let next = state.withLock { state -> UnsafeContinuation<Void, Never>? in
                if state.turnQueue.isEmpty {
                    state.turnBusy = false
                    return nil
                }
                return state.turnQueue.removeFirst()
            }
            next?.resume()
        }
        try Task.checkCancellation()
        return try await body()
    }

    private func synchronizeInTurn(until deadline: ContinuousClock.Instant, limit: Duration) async throws {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw QMPTimeoutError(
                    operation: "guest agent synchronisation on \(endpoint) (is qemu-ga running in the guest?)",
                    timeout: limit)
            }
            do {
                _ = try await exchange(
                    "guest-sync-delimited", until: min(deadline, .now + configuration.synchronizationAttempt), limit: limit
                ) { proto, _ in
                    let id = Int64.random(in: 1...(1 << 40))
                    return (proto.synchronize(id: id), .sync(id))
                }
                return
            } catch is QMPTimeoutError {
                continue
            }
        }
    }

    /// Registers a waiter, sends what `start` produced, and waits for the outcome or `deadline`.
    private func exchange(
        _ operation: String, until deadline: ContinuousClock.Instant, limit: Duration,
        _ start: (inout GuestAgentProtocol, Int64) throws -> ([UInt8], Waiter.Kind)
    ) async throws -> Outcome {
        let prepared = try state.withLock { state throws -> (Waiter, [UInt8])? in
            if state.lifecycle.closedError != nil { return nil }
            let id = state.nextID
            state.nextID += 1
            let (bytes, kind) = try start(&state.proto, id)
            let waiter = Waiter(kind)
            // Whatever was in flight was abandoned already (its caller gave up): `start` began a new exchange.
            _ = Self.takeAll(&state.pending)
            _ = state.pending.register(waiter, id: waiter.id, inBand: false)
            return (waiter, bytes)
        }
        guard let (waiter, bytes) = prepared else {
            throw state.withLock { $0.lifecycle.closedError } ?? QMPConnectionError(.closedByClient, "the agent connection is closed")
        }
        // Observed before it is queued, so that it comes before its reply.
        if observesWire { observe(.sent, Self.message(in: bytes)) }
        let delay = max(deadline - .now, .zero)
        let timer = DeadlineScheduler.shared.schedule(after: delay) { [weak self] in
            if case .end = waiter.kind {
                self?.finish(waiter, .success(.ended))
            } else {
                self?.finish(waiter, .failure(QMPTimeoutError(operation: "\(operation) (guest agent)", timeout: limit)))
            }
        }
        defer { DeadlineScheduler.shared.cancel(timer) }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Outcome, any Error>) in
                waiter.continuation.withLock { $0 = continuation }
                let gone = state.withLock { state in !state.pending.contains(waiter, id: waiter.id) }
                if gone {
                    // Finished (connection lost, or time up) before the continuation was stored.
                    let error = state.withLock { $0.lifecycle.closedError }
                    waiter.take()?.resume(throwing: error ?? QMPTimeoutError(operation: operation, timeout: limit))
                    return
                }
                let write = state.withLock { state -> Bool in
                    guard state.pending.contains(waiter, id: waiter.id) else { return false }
                    switch state.outbound.enqueue(OutboundMessage(bytes: bytes)) {
                    case .write(let ticket):
                        waiter.ticket = ticket
                        return true
                    case .queued(let ticket):
                        waiter.ticket = ticket
                        return false
                    case .full:
                        return false  // (never: one exchange at a time, and one message is always accepted)
                    }
                }
                if write { flushWrites() }
                if Task.isCancelled { finish(waiter, .failure(CancellationError())) }
            }
        } onCancel: {
            finish(waiter, .failure(CancellationError()))
        }
    }

    /// Completes `waiter` if it is still the current one; a failure abandons the exchange (resynchronise next).
    private func finish(_ waiter: Waiter, _ result: Result<Outcome, any Error>) {
        let current = state.withLock { state -> Bool in
            guard state.pending.contains(waiter, id: waiter.id) else { return false }
            // A request still waiting for the socket is withdrawn unsent; one already sent is no longer awaited
            // either (the agent's late reply is refused by id, and counted as stale by the protocol).
            if !state.pending.withdrawUnsent(waiter, id: waiter.id, ticket: waiter.ticket, from: &state.outbound) {
                state.pending.withdraw(waiter, id: waiter.id)
            }
            waiter.ticket = nil
            if case .failure = result { state.proto.abandon() }
            if case .success(.ended) = result, case .end = waiter.kind { state.proto.abandon() }
            return true
        }
        if current { waiter.take()?.resume(with: result) }
    }

    package var outboundTransport: any MessageTransport { transport }

    package func withOutbound<R>(_ body: (inout OutboundQueue, _ closed: Bool) -> R) -> R {
        state.withLock { state in body(&state.outbound, state.lifecycle.closedError != nil) }
    }

    /// Bytes from the I/O thread, through the agent's protocol machine; completes the waiter they answer.
    package func received(_ chunk: UnsafeRawBufferPointer) {
        var messages: [JSONObject] = []
        let completions = state.withLock { state -> [(Waiter, Result<Outcome, any Error>)] in
            let outputs = state.proto.receive(chunk)
            if state.proto.keepsReceivedMessages { messages = state.proto.takeReceivedMessages() }
            var completions: [(Waiter, Result<Outcome, any Error>)] = []
            for output in outputs {
                switch output {
                case .synchronized(let id):
                    if let waiter = Self.match(&state.pending, id: id, where: { $0 == .sync(id) }) {
                        completions.append((waiter, .success(.synchronized)))
                    }
                case .reply(let id, let reply):
                    if let waiter = Self.match(&state.pending, id: id, where: { $0 == .reply(id) || $0 == .end(id) }) {
                        completions.append((waiter, reply.map { .reply($0) }.mapError { $0 }))
                    }
                case .protocolError(let message):
                    // The reply in front could not be read: the exchange in flight fails.
                    let error = QMPConnectionError(.protocolViolation, "guest agent: \(message)")
                    for waiter in Self.takeAll(&state.pending) { completions.append((waiter, .failure(error))) }
                case .ended, .discarded:
                    break
                }
            }
            return completions
        }
        // Observed before the callers resume, so that a reply comes before what its caller sends next.
        for message in messages { observe(.received, .object(message)) }
        for (waiter, result) in completions { waiter.take()?.resume(with: result) }
    }

    /// The pending exchange with `id`, removed, when its kind fits; otherwise nothing changes.
    private static func match(_ pending: inout PendingCalls<Waiter>, id: Int64, where fits: (Waiter.Kind) -> Bool) -> Waiter? {
        guard let candidate = pending.call(withID: .int(id)), fits(candidate.kind),
            case .success(let waiter) = pending.match(replyID: .int(id), callID: { $0.id })
        else { return nil }
        waiter.ticket = nil
        return waiter
    }

    /// Every pending exchange (at most one), removed.
    private static func takeAll(_ pending: inout PendingCalls<Waiter>) -> [Waiter] {
        let (inBand, byID) = pending.removeAll()
        let all = inBand + byID
        for waiter in all { waiter.ticket = nil }
        return all
    }

    package func connectionEnded(_ error: QMPConnectionError) {
        let (waiter, result) = state.withLock { state -> (Waiter?, Result<Outcome, any Error>) in
            let ended = state.proto.endOfStream()
            let finalError = state.lifecycle.end(error, closedByClient: "the agent connection was closed by this client")
            let waiter = Self.takeAll(&state.pending).first
            state.outbound.removeAll()
            if case .ended(let expected?) = ended, let waiter, waiter.kind == .end(expected) {
                return (waiter, .success(.ended))
            }
            return (waiter, .failure(finalError))
        }
        waiter?.take()?.resume(with: result)
    }
}
