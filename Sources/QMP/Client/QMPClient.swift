public import Logging
import QMPWire

/// A client for one QMP monitor.
///
/// Connecting reads the greeting and negotiates capabilities. Commands can be sent from many tasks at once; each
/// gets its own reply. Events reach any number of subscribers, and waits can never miss an event that arrived
/// between a command and the wait. When QEMU exits or the socket breaks, every pending call fails at once with
/// `QMPConnectionError` — nothing hangs. A reply of `error` is a ``QMPError``; the connection stays usable.
///
/// ```swift
/// try await QMPClient.withConnection(to: MonitorAddress(parsing: "/tmp/qmp.sock")) { client in
///     let status = try await client.execute(QueryStatus())
///     try await client.execute(DeviceDel(id: "vd1"))
///     _ = try await client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(10)) { $0.device == "vd1" }
/// }
/// ```
public actor QMPClient {
    /// Connection and protocol settings.
    public struct Configuration: Sendable {
        /// Ask for out-of-band execution during negotiation when the server offers it.
        public var enableOutOfBand = false
        /// Send an `id` with every command. Off by default: QEMU answers in-band commands in order, so replies are
        /// matched first-in first-out, and an id costs QEMU about 30 µs per command. Out-of-band commands always
        /// carry one.
        public var sendsIDs = false
        /// How long to wait for the greeting; a monitor held by another client sends none.
        public var greetingTimeout: Duration = .seconds(10)
        /// How long to wait for the greeting once the connection is accepted; `nil` waits as long as
        /// ``greetingTimeout`` allows. QEMU greets at once unless another client holds the monitor, so a short limit
        /// (the CLI uses 2 s) reports a busy monitor quickly while ``greetingTimeout`` still bounds the connect.
        public var busyTimeout: Duration?
        /// Time limit for calls that do not give their own; `nil` means none.
        public var defaultTimeout: Duration?
        /// Events kept for race-free waits (oldest dropped first).
        public var eventHistorySize = 4096
        /// The largest message accepted from the server. A larger one is skipped as it arrives (memory stays
        /// bounded by this limit); if it was a reply, its call fails with `QMPProtocolError`.
        public var maximumMessageSize = 256 << 20
        /// The most bytes of requests waiting to be written while the monitor does not read. A request that would
        /// pass it fails at once with `QMPConnectionError.Code.sendQueueFull` (one request is always accepted,
        /// whatever its size).
        public var maximumQueuedBytes = 64 << 20
        /// Whether the peer sends a QMP greeting and expects `qmp_capabilities` (qmp-shell's `-N` turns this off;
        /// the guest agent has neither). Without it, ``QMPClient/greeting`` is empty and commands go out at once.
        public var negotiates = true
        /// Commands after which the peer may close the connection without a reply; for them, the end of the
        /// connection is their success (`quit`; the guest agent's `guest-shutdown`).
        public var commandsEndingConnection: Set<String> = ["quit"]
        /// Called on the reader thread (received) or the caller's thread (sent) with every message; for
        /// transcripts. Must be fast and must not block. Gets the messages as they are: redact them with
        /// `Redaction.redact(_:)` before showing or storing them.
        public var messageObserver: (@Sendable (MessageDirection, JSON) -> Void)?
        /// Where the wire goes at `trace` level: every message sent and received, secrets redacted
        /// (`Redaction`), with the message as metadata `qmp.message` and its direction as `qmp.direction`.
        /// Messages skipped as unusable are logged at `debug`. Nothing is formatted unless the logger's level is
        /// `trace` (or `debug` for the skipped ones).
        ///
        /// ```swift
        /// var configuration = QMPClient.Configuration()
        /// var logger = Logger(label: "qmp")
        /// logger.logLevel = .trace
        /// configuration.logger = logger
        /// ```
        public var logger: Logger?

        /// The defaults: negotiate capabilities without out-of-band, no ids, 10 s to connect and be greeted, no
        /// default call timeout, 4096 events of history, 256 MiB per message, 64 MiB of queued requests, `quit` as
        /// the only command that ends the connection, no observer and no logger.
        public init() {}
    }

    /// Whether a message was sent to or received from the monitor.
    public enum MessageDirection: String, Sendable {
        /// A message this client wrote to the monitor (a command); observed on the calling task's thread.
        case sent
        /// A message read from the monitor (greeting, reply or event); observed on the reader thread.
        case received
    }

    nonisolated let core: ClientCore
    /// The server's greeting.
    public nonisolated let greeting: QMPGreeting
    /// The capabilities enabled during negotiation (e.g. `oob`).
    public nonisolated let enabledCapabilities: [String]

    private init(core: ClientCore, greeting: QMPGreeting, enabledCapabilities: [String]) {
        self.core = core
        self.greeting = greeting
        self.enabledCapabilities = enabledCapabilities
    }

    // MARK: - Connecting

    /// Connects to the monitor at `address`, reads the greeting and negotiates capabilities.
    ///
    /// ``Configuration/greetingTimeout`` bounds all of it: the connect itself (a monitor whose backlog is full,
    /// because QEMU is stopped or another client holds it, accepts nothing), the greeting and the negotiation.
    /// Throws `QMPConnectionError` when the socket cannot be reached, nothing answers in time, or negotiation
    /// fails.
    public static func connect(to address: MonitorAddress, configuration: Configuration = Configuration()) async throws
        -> QMPClient
    {
        let deadline = ContinuousClock.now + configuration.greetingTimeout
        let transport = try await SocketTransport.connect(
            to: address, timeout: configuration.greetingTimeout,
            framing: .json(maximumMessageSize: configuration.maximumMessageSize))
        return try await start(transport, configuration: configuration, deadline: deadline)
    }

    /// Runs the protocol over an already-connected socket (e.g. one end of a socketpair given to QEMU).
    public static func connect(using connection: SocketConnection, configuration: Configuration = Configuration())
        async throws -> QMPClient
    {
        let transport = SocketTransport(
            connection: connection, framing: .json(maximumMessageSize: configuration.maximumMessageSize))
        return try await start(transport, configuration: configuration, deadline: .now + configuration.greetingTimeout)
    }

    /// Runs the protocol over any transport (a socket, libvirt, ...), which the client owns from now on.
    ///
    /// A transport that supplies its own greeting (`MessageTransport.suppliedGreeting`) was negotiated by
    /// someone else: the client takes that greeting and sends no `qmp_capabilities`. Otherwise the client waits
    /// for the peer's greeting and negotiates, all within ``Configuration/greetingTimeout``.
    public static func connect(using transport: some MessageTransport, configuration: Configuration = Configuration())
        async throws -> QMPClient
    {
        try await start(transport, configuration: configuration, deadline: .now + configuration.greetingTimeout)
    }

    private static func start(
        _ transport: any MessageTransport, configuration: Configuration, deadline: ContinuousClock.Instant
    ) async throws -> QMPClient {
        let core = ClientCore(transport: transport, configuration: configuration)
        core.startReader()
        if let supplied = transport.suppliedGreeting {
            // The body (`version`, `capabilities`), or the whole `{"QMP": …}` message.
            let body = supplied["QMP"]?.objectValue ?? supplied
            return QMPClient(core: core, greeting: QMPGreeting(.object(body)), enabledCapabilities: [])
        }
        guard configuration.negotiates else {
            return QMPClient(core: core, greeting: QMPGreeting(["version": [:], "capabilities": []]), enabledCapabilities: [])
        }
        do {
            let remaining = max(.milliseconds(1), deadline - .now)
            let greeting: QMPGreeting
            if let busy = configuration.busyTimeout, busy < remaining {
                greeting = try await core.waitForGreeting(timeout: busy, limit: busy)
            } else {
                greeting = try await core.waitForGreeting(timeout: remaining, limit: configuration.greetingTimeout)
            }
            var enable: [String] = []
            if configuration.enableOutOfBand && greeting.capabilities.contains("oob") { enable.append("oob") }
            do {
                _ = try await core.call(
                    name: "qmp_capabilities", arguments: enable.isEmpty ? nil : ["enable": .array(enable.map(JSON.string))],
                    id: nil, outOfBand: false, fileDescriptors: [], timeout: max(.milliseconds(1), deadline - .now))
            } catch let error as QMPError {
                throw QMPConnectionError(.negotiationFailed, "capabilities negotiation failed: \(error)")
            } catch is QMPTimeoutError {
                throw QMPConnectionError(.noGreeting, "no answer to qmp_capabilities within \(configuration.greetingTimeout.secondsText)")
            }
            return QMPClient(core: core, greeting: greeting, enabledCapabilities: enable)
        } catch {
            await core.close()
            throw error
        }
    }

    /// A client released without ``close()`` still ends its connection: the socket is shut down, the I/O thread
    /// ends and releases it, and pending calls (held by no one) fail.
    deinit {
        core.shutDown()
    }

    /// Connects, runs `body`, and closes the connection on every path (errors and cancellation included).
    public static func withConnection<Result: Sendable>(
        to address: MonitorAddress, configuration: Configuration = Configuration(),
        _ body: (QMPClient) async throws -> Result
    ) async throws -> Result {
        let client = try await connect(to: address, configuration: configuration)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// The process serving the monitor, as the kernel reports it for a Unix socket (`SO_PEERCRED`); `nil` for TCP.
    /// Unlike the greeting, the peer cannot make this up (`SchemaDiskCache` keys on the program it runs).
    public nonisolated var peerProcessID: Int32? { core.transport.peerProcessID }

    /// Closes the connection. Pending calls fail with `QMPConnectionError.Code.closedByClient`; subscriptions
    /// end. Returns once the socket is released. Closing twice is harmless.
    public func close() async {
        await core.close()
    }

    /// True once the connection is over (closed here, or the monitor went away).
    public nonisolated var isClosed: Bool { core.isClosed }

    /// Why the connection is over, or `nil` while it is open.
    public nonisolated var closedError: QMPConnectionError? { core.closedError }

    // MARK: - Commands

    /// Runs a command given by name with JSON arguments and returns its `return` value.
    ///
    /// It runs in its caller's isolation (`nonisolated(nonsending)`): encoding and the write happen on the
    /// caller's executor without a hop, and the reply resumes the caller there (see ``withAffinity(_:)`` for loops
    /// that should not pay the pool's wake-up).
    ///
    /// - Parameters:
    ///   - name: The command's wire name, e.g. `query-status` or `device_del`.
    ///   - arguments: The request's `arguments` object, or `nil` to send none.
    ///   - id: sent as the request's `id` (QEMU echoes it); by default none is sent for in-band commands.
    ///   - outOfBand: send as `exec-oob` (needs ``Configuration/enableOutOfBand`` and a server that offers it).
    ///   - fileDescriptors: passed with the request (`SCM_RIGHTS`), for `getfd` and `add-fd`.
    ///   - timeout: overrides ``Configuration/defaultTimeout``.
    /// - Throws: ``QMPError`` when QEMU answers with an error, `QMPConnectionError` when the monitor is gone,
    ///   ``QMPTimeoutError`` or `CancellationError`; ``QMPUsageError`` before sending anything when `outOfBand`
    ///   was asked for but not negotiated.
    public nonisolated(nonsending) func execute(
        _ name: String, arguments: JSON? = nil, id: JSON? = nil, outOfBand: Bool = false,
        fileDescriptors: [Int32] = [], timeout: Duration? = nil
    ) async throws -> JSON {
        if outOfBand && !enabledCapabilities.contains("oob") {
            throw QMPUsageError("out-of-band execution was not negotiated (set Configuration.enableOutOfBand)")
        }
        return try await core.call(
            name: name, arguments: arguments, id: id, outOfBand: outOfBand, fileDescriptors: fileDescriptors,
            timeout: timeout ?? core.configuration.defaultTimeout)
    }

    /// Runs a typed command and decodes its reply (in its caller's isolation, like the untyped `execute`).
    public nonisolated(nonsending) func execute<Command: QMPCommand>(
        _ command: Command, fileDescriptors: [Int32] = [], timeout: Duration? = nil
    ) async throws -> Command.Response {
        let arguments = try JSONValueEncoder().encode(command)
        let value = try await core.call(
            name: Command.name, arguments: arguments, id: nil, outOfBand: false, fileDescriptors: fileDescriptors,
            timeout: timeout ?? core.configuration.defaultTimeout)
        do {
            return try JSONValueDecoder().decode(Command.Response.self, from: value)
        } catch {
            throw QMPResponseDecodingError(command: Command.name, reason: "\(error)", value: value)
        }
    }

    /// Runs `body` with the client's I/O thread as its task executor.
    ///
    /// Inside, a round trip needs no thread switch: the thread that reads the reply resumes the caller and writes
    /// its next request. Use it for latency-bound loops of commands (it is what the benchmark's "affine" figures
    /// measure); keep long computations outside, since they hold up the client's I/O while they run.
    ///
    /// ```swift
    /// try await client.withAffinity {
    ///     for _ in 0..<1000 { _ = try await client.execute(QueryStatus()) }
    /// }
    /// ```
    ///
    /// From `@MainActor` code (top-level code in `main.swift`, a `@MainActor` type), write the closure as
    /// `{ @concurrent in ... }`. Swift infers a closure literal formed there to be isolated to the main actor, even
    /// for this `@concurrent` parameter, and the main actor's executor wins over the I/O thread: every command then
    /// pays the pool wake-up again (a round-trip hop of ~15 µs becomes ~80 µs). Marked `@concurrent`, the closure
    /// runs on the I/O thread as from anywhere else; `withAffinity` runs in its caller's isolation, so such a
    /// closure may capture the caller's values. From non-isolated code no mark is needed. Over a transport without
    /// an I/O thread of its own (`MessageTransport.executor` is `nil`), `body` simply runs.
    ///
    /// ```swift
    /// @MainActor func poll(_ client: QMPClient) async throws {
    ///     try await client.withAffinity { @concurrent in
    ///         for _ in 0..<1000 { _ = try await client.execute(QueryStatus()) }
    ///     }
    /// }
    /// ```
    public nonisolated(nonsending) func withAffinity<Result: Sendable>(
        _ body: @concurrent () async throws -> Result
    ) async rethrows -> Result {
        try await withTaskExecutorPreference(core.executor, operation: body)
    }

    // MARK: - Events

    /// Opens a subscription to the events `filter` accepts.
    ///
    /// - Parameters:
    ///   - filter: Which events to deliver; every event by default.
    ///   - bufferSize: events buffered for this consumer before the `overflow` policy drops some (counted).
    ///   - overflow: Which events a full buffer drops: the oldest buffered one (the default) or the one arriving.
    ///   - cursor: also deliver events still in the history that came after this cursor; `nil` (the default)
    ///     delivers only events that arrive from now on.
    public nonisolated func events(
        _ filter: QMPEventFilter = .all, bufferSize: Int = 1024, overflow: EventOverflowPolicy = .dropOldest,
        replayingAfter cursor: EventCursor? = nil
    ) -> QMPEventSubscription {
        let subscriber = EventSubscriber(filter: filter, capacity: bufferSize, policy: overflow)
        core.subscribe(subscriber, replayingAfter: cursor)
        return QMPEventSubscription(subscriber: subscriber, core: core)
    }

    /// Waits for an event named `name` whose data matches `matching` (dotted paths into `data`).
    ///
    /// By default events that arrived since the most recent command was sent count, so
    /// `execute("device_del", ...)` followed by `waitForEvent("DEVICE_DELETED", ...)` cannot miss the event
    /// even if it came before the wait began.
    public nonisolated func waitForEvent(
        _ name: String, matching: [String: JSON] = [:], since start: EventStart = .lastCommand,
        timeout: Duration? = nil
    ) async throws -> QMPEvent {
        try await core.waitForEvent(
            QMPEventFilter(names: [name], dataMatch: matching), after: start, timeout: timeout, label: "event \(name)")
    }

    /// Waits for an event that `filter` accepts.
    public nonisolated func waitForEvent(
        _ filter: QMPEventFilter, since start: EventStart = .lastCommand, timeout: Duration? = nil
    ) async throws -> QMPEvent {
        let label = filter.names.map { "event " + $0.sorted().joined(separator: "|") } ?? "an event"
        return try await core.waitForEvent(filter, after: start, timeout: timeout, label: label)
    }

    /// Waits for a typed event for which `predicate` holds.
    public nonisolated func waitForEvent<Event: QMPEventType>(
        _ type: Event.Type, since start: EventStart = .lastCommand, timeout: Duration? = nil,
        where predicate: @escaping @Sendable (Event) -> Bool = { _ in true }
    ) async throws -> Event {
        let filter = QMPEventFilter(names: [Event.name]) { event in
            (try? event.decode(Event.self)).map(predicate) ?? false
        }
        let event = try await core.waitForEvent(filter, after: start, timeout: timeout, label: "event \(Event.name)")
        return try event.decode(Event.self)
    }

    /// The current position in the event order; pass it to a later wait or subscription.
    public nonisolated func eventCursor() -> EventCursor { core.currentCursor }

    /// Events still in the history after `cursor`, oldest first.
    public nonisolated func recentEvents(after cursor: EventCursor = EventCursor(sequence: 0)) -> [QMPEvent] {
        core.history(after: cursor)
    }

    // MARK: - Diagnostics

    /// Calls sent and still waiting for their reply.
    public nonisolated var pendingCallCount: Int {
        core.state.withLock { state in
            state.machine.matcher.pending.count { $0.continuation != nil }
        }
    }

    /// Survivable protocol violations seen so far (garbage lines, replies nobody waits for), the last 100, and
    /// how many in total.
    public nonisolated var protocolAnomalies: (recent: [QMPProtocolError], total: Int) {
        core.state.withLock { ($0.machine.anomalies, $0.machine.anomalyCount) }
    }
}
