import QMPWire

/// The QMP client's protocol logic as a value type, in the style of swift-nio's state machines: inputs in (calls,
/// framed messages, abandoned calls, the end of the connection), outputs out. No sockets, no threads, no locks,
/// no user code: `ClientCore` keeps it under its lock and performs what it returns (sends through the transport,
/// resumes callers, runs event filters) outside the lock. `ClientProtocolTests` drive it directly.
///
/// It covers the greeting, request encoding and ids, the bounded write queue (``OutboundQueue``), reply matching
/// (`PendingCalls`: first-in first-out for in-band calls, by id otherwise, one item per message even when the
/// message cannot be used), the event order and the bounded history that race-free waits read, and failing every
/// pending call when the connection ends.
struct ClientProtocol {
    /// Send an `id` with every command (out-of-band ones always carry one).
    let sendsIDs: Bool
    /// Commands whose success is the end of the connection (`quit`). An array: it has one or two names, and
    /// comparing short strings is cheaper than hashing the command's name for a set on every call.
    let endingCommands: [String]
    /// Events kept for waits (see ``historyStretch``).
    let historyLimit: Int

    /// Pending calls: in-band ones in wire order, and those matched by id.
    private(set) var matcher = PendingCalls<PendingCall>()
    /// Requests not yet handed to the transport, and the writer role.
    var outbound: OutboundQueue
    private var nextID: Int64 = 1
    /// The wire form of the last command sent with no arguments and no id: polling loops repeat one such command,
    /// and reusing its bytes saves the encoding and an allocation a call (~900 instructions, callgrind).
    private var lastPlainRequest: (name: String, bytes: [UInt8])?

    /// The greeting once received, or why none will come.
    private(set) var greeting: QMPGreeting?
    private(set) var greetingFailure: (any Error)?

    /// How the connection ends (shared with the HMP and agent clients).
    private var lifecycle = ConnectionLifecycle()
    /// Set once the connection is over; later calls fail with it at once.
    var closedError: QMPConnectionError? { lifecycle.closedError }
    /// The client asked for the close (the end of the connection is then `closedByClient`).
    var closing: Bool {
        get { lifecycle.closing }
        set { lifecycle.closing = newValue }
    }

    /// Event order and the bounded history used by race-free waits.
    private(set) var eventSequence: UInt64 = 0
    private(set) var lastCommandEventSequence: UInt64 = 0
    private(set) var history = FIFOQueue<QMPEvent>()
    private var historyCount = 0
    /// Sequence number of the newest event evicted from the history.
    private(set) var evictedThrough: UInt64 = 0

    /// Survivable protocol violations (garbage lines, replies nobody waits for): the last 100, and how many.
    private(set) var anomalies: [QMPProtocolError] = []
    private(set) var anomalyCount = 0

    init(sendsIDs: Bool, endingCommands: Set<String>, historyLimit: Int, maximumQueuedBytes: Int) {
        self.sendsIDs = sendsIDs
        self.endingCommands = Array(endingCommands)
        self.historyLimit = historyLimit
        self.outbound = OutboundQueue(limit: maximumQueuedBytes)
    }

    // MARK: - Calls

    /// Registers `call` and queues its request in one step, so the in-band order is the wire order. Returns
    /// whether the caller now holds the writer role (and must flush), or why the call fails at once.
    mutating func call(
        _ call: PendingCall, arguments: JSON?, id callerID: JSON?, outOfBand: Bool, fileDescriptors: [Int32]
    ) -> Result<Bool, any Error> {
        if let error = closedError { return .failure(error) }
        if let error = call.abandonedError { return .failure(error) }
        var id = callerID
        if id == nil && (outOfBand || sendsIDs) {
            id = .int(nextID)
            nextID += 1
        }
        if let id, matcher.isInUse(id) {
            return .failure(QMPUsageError("id \(id) is already in use by a pending command"))
        }
        let bytes: [UInt8]
        let plain = arguments == nil && id == nil && !outOfBand
        if plain, let last = lastPlainRequest, last.name == call.name {
            bytes = last.bytes  // shared, never mutated
        } else {
            var encoded: [UInt8] = []
            encoded.reserveCapacity(call.name.utf8.count + (arguments == nil ? 24 : 64))
            QMPRequest.encode(call.name, arguments: arguments, id: id, outOfBand: outOfBand, into: &encoded)
            if plain { lastPlainRequest = (call.name, encoded) }
            bytes = encoded
        }
        let write: Bool
        switch outbound.enqueue(OutboundMessage(bytes: bytes, fileDescriptors: fileDescriptors)) {
        case .full(let queued):
            return .failure(QMPConnectionError(
                .sendQueueFull,
                "'\(call.name)' was not sent: \(queued) bytes already wait to be sent (the monitor is not reading; the limit is \(outbound.limit))"))
        case .write(let ticket):
            call.ticket = ticket
            write = true
        case .queued(let ticket):
            call.ticket = ticket
            write = false
        }
        call.id = id
        call.isQuit = endingCommands.contains(call.name)
        _ = matcher.register(call, id: id, inBand: !outOfBand)
        lastCommandEventSequence = eventSequence
        return .success(write)
    }

    /// The caller gave up (time-out, cancellation): a request not yet handed to the transport is withdrawn and
    /// no reply is expected for it; otherwise its reply, when it comes, finds no continuation and is dropped.
    mutating func abandon(_ call: PendingCall, with error: any Error) {
        if call.abandonedError == nil { call.abandonedError = error }
        if let ticket = call.ticket, outbound.withdraw(ticket) {
            matcher.withdraw(call, id: call.id)
        }
        call.ticket = nil
    }

    // MARK: - Input from the transport

    /// What one received item means.
    enum Output {
        /// Nothing for anyone (a reply whose caller gave up is still matched, then dropped by the driver).
        case none
        /// A call's outcome: its reply, QEMU's error, or a protocol error when its reply could not be used.
        case reply(PendingCall, Result<JSON, any Error>)
        /// The greeting arrived.
        case greeted(QMPGreeting)
        /// The greeting could not be read.
        case greetingFailed(QMPConnectionError)
        /// An event, already numbered and in the history: hand it to subscribers and waiters.
        case event(QMPEvent)
        /// A survivable violation, recorded; `message` is set when it was a well-formed message (for observers).
        case anomaly(QMPProtocolError, message: JSONObject?)
    }

    /// Takes one framed item: every item ends at most one protocol step, and a message that cannot be used still
    /// ends exactly the call it answered, so later replies are never shifted.
    mutating func receive(_ item: JSONStreamFramer.Item) -> Output {
        switch item {
        case .object(let object):
            return receive(object)
        case .malformed(let input) where input.isObject:
            return receiveUnusable(input)
        case .malformed(let input):
            return anomaly(QMPProtocolError("skipped input that is \(input.reason)", message: .string(input.excerpt)))
        }
    }

    private mutating func receive(_ object: JSONObject) -> Output {
        let message: QMPMessage
        do {
            message = try QMPMessage(object)
        } catch {
            if object["return"] != nil || object["error"] != nil {
                // A reply, but not a valid one: it still answers the call in front.
                return match(id: object["id"], .unusable(JSONStreamFramer.MalformedInput(
                    reason: error.reason, excerpt: JSON.object(object).serialized(), kind: .invalidObject)), object: nil)
            }
            return anomaly(error)
        }
        switch message {
        case .success(let id, let value): return match(id: id, .success(value), object: object)
        case .failure(let id, let body): return match(id: id, .failure(body), object: object)
        case .event(let event): return .event(record(event))
        case .greeting(let greeting):
            guard self.greeting == nil else { return .none }
            self.greeting = greeting
            return .greeted(greeting)
        }
    }

    private mutating func receiveUnusable(_ input: JSONStreamFramer.MalformedInput) -> Output {
        let keys = Set(input.keys)
        if keys.contains("QMP") {
            let error = QMPConnectionError(.protocolViolation, "the greeting could not be read: \(input.reason)")
            return failGreeting(error) ? .greetingFailed(error) : .none
        }
        if keys.contains("event") || (keys.contains("timestamp") && keys.isDisjoint(with: ["return", "error"])) {
            return anomaly(QMPProtocolError(
                "dropped an event that could not be read: \(input.reason)", message: .string(input.excerpt)))
        }
        return match(id: input.id, .unusable(input), object: nil)
    }

    private enum Reply {
        case success(JSON)
        case failure(QMPErrorBody)
        /// A reply that could not be used, for the reason given.
        case unusable(JSONStreamFramer.MalformedInput)
    }

    private mutating func match(id: JSON?, _ reply: Reply, object: JSONObject?) -> Output {
        let call: PendingCall
        switch matcher.match(replyID: id, callID: { $0.id }) {
        case .success(let matched):
            call = matched
        case .failure(let reason):
            let text = switch reason {
            case .unknownID: "reply with an id no pending command has"
            case .nothingPending: greeting == nil ? "reply before the greeting" : "reply with no pending command"
            }
            let message: JSON = switch reply {
            case .success(let value): ["return": value, "id": id ?? .null]
            case .failure(let body): ["error": body.json, "id": id ?? .null]
            case .unusable(let input): ["unusable": .string(input.description), "id": id ?? .null]
            }
            return anomaly(QMPProtocolError(text, message: message), message: object)
        }
        switch reply {
        case .success(let value): return .reply(call, .success(value))
        case .failure(let body): return .reply(call, .failure(QMPError(body, command: call.name)))
        case .unusable(let input):
            return .reply(call, .failure(QMPProtocolError(
                "the reply to '\(call.name)' could not be used: \(input.reason)", message: .string(input.excerpt))))
        }
    }

    private mutating func anomaly(_ error: QMPProtocolError, message: JSONObject? = nil) -> Output {
        anomalyCount += 1
        if anomalies.count >= 100 { anomalies.removeFirst() }
        anomalies.append(error)
        return .anomaly(error, message: message)
    }

    // MARK: - Greeting

    /// No greeting will come (time limit, cancellation, unreadable); true when this is news (a waiter must hear).
    mutating func failGreeting(_ error: any Error) -> Bool {
        guard greeting == nil && greetingFailure == nil else { return false }
        greetingFailure = error
        return true
    }

    // MARK: - Events

    /// How far past ``historyLimit`` the history may grow to keep the events that came after the most recent
    /// command (which a wait that follows it counts).
    static var historyStretch: Int { 8 }

    /// Numbers an event and keeps it in the history, evicting the oldest past the limit.
    private mutating func record(_ message: QMPEventMessage) -> QMPEvent {
        eventSequence += 1
        let event = QMPEvent(name: message.name, data: message.data, timestamp: message.timestamp, sequence: eventSequence)
        history.append(event)
        historyCount += 1
        if historyCount > historyLimit, let oldest = history.first {
            // Keep what waits since the last command may still need, up to a hard bound.
            if oldest.sequence <= lastCommandEventSequence || historyCount > historyLimit * Self.historyStretch {
                _ = history.popFirst()
                historyCount -= 1
                evictedThrough = oldest.sequence
            }
        }
        return event
    }

    /// Events after `sequence` still in the history, oldest first.
    func events(after sequence: UInt64) -> [QMPEvent] {
        history.elements.filter { $0.sequence > sequence }
    }

    // MARK: - The end

    /// What ending the connection does to the calls that were pending.
    struct Ending {
        /// The error the connection ended with (the first one; `closedByClient` when the client asked).
        var error: QMPConnectionError
        /// Calls that fail, in wire order, each with its error.
        var failed: [(PendingCall, QMPConnectionError)] = []
        /// Calls whose success is the end of the connection (`quit` when the peer closed).
        var succeeded: [PendingCall] = []
    }

    /// The connection is over: every pending call ends (failed, or succeeded for `quit`), queued requests are
    /// dropped. Idempotent: later calls report the first error and no calls.
    mutating func close(_ error: QMPConnectionError) -> Ending {
        let finalError = lifecycle.end(error)
        var ending = Ending(error: finalError)
        let (ordered, byIDOnly) = matcher.removeAll()
        for call in ordered + byIDOnly {
            call.ticket = nil
            // QEMU may close the socket before the reply to `quit` is read: that is the success `quit` asks for.
            if call.isQuit && finalError.code == .closedByPeer {
                ending.succeeded.append(call)
                continue
            }
            var callError = finalError
            if finalError.code == .closedByPeer {
                callError.message = "the monitor closed the connection while '\(call.name)' was pending"
            }
            ending.failed.append((call, callError))
        }
        outbound.removeAll()
        return ending
    }
}
