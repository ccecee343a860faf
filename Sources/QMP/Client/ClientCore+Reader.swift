import QMPWire
import Synchronization

extension ClientCore {
    /// Starts the transport: from now on it delivers to this core on its own thread.
    func startReader() {
        transport.start(self)
    }

    /// One framed item from the transport's thread.
    func transportReceived(_ item: JSONStreamFramer.Item) {
        switch item {
        case .object(let object): handle(object)
        case .malformed(let input) where input.isObject: handleUnusable(input)
        case .malformed(let input):
            recordAnomaly(QMPProtocolError("skipped input that is \(input.reason)", message: .string(input.excerpt)))
        }
    }

    func transportClosed(_ error: QMPConnectionError) {
        connectionLost(error)
    }

    func transportFinished() {
        readerFinished()
    }

    /// A message that could not be used (invalid, cut short, over a limit) is still one protocol item: a reply
    /// fails the call it answered, an event is counted. Nothing shifts the matching of later replies.
    private func handleUnusable(_ input: JSONStreamFramer.MalformedInput) {
        let keys = Set(input.keys)
        if keys.contains("QMP") {
            failGreeting(QMPConnectionError(.protocolViolation, "the greeting could not be read: \(input.reason)"))
        } else if keys.contains("event") || (keys.contains("timestamp") && keys.isDisjoint(with: ["return", "error"])) {
            recordAnomaly(QMPProtocolError("dropped an event that could not be read: \(input.reason)", message: .string(input.excerpt)))
        } else {
            deliver(id: input.id, .unusable(input))
        }
    }

    /// Handles one received object: a reply goes to its caller, an event to subscribers and waiters.
    func handle(_ object: JSONObject) {
        let message: QMPMessage
        do {
            message = try QMPMessage(object)
        } catch {
            if object["return"] != nil || object["error"] != nil {
                // A reply, but not a valid one: it still answers the call in front.
                deliver(id: object["id"], .unusable(JSONStreamFramer.MalformedInput(
                    reason: error.reason, excerpt: JSON.object(object).serialized(), kind: .invalidObject)))
            } else {
                recordAnomaly(error)
            }
            return
        }
        if configuration.messageObserver != nil || wireLogger != nil { observe(.received, .object(object)) }
        switch message {
        case .success(let id, let value):
            deliver(id: id, .success(value))
        case .failure(let id, let body):
            deliver(id: id, .failure(body))
        case .event(let event):
            dispatch(event)
        case .greeting(let greeting):
            let waiter = state.withLock { state -> UnsafeContinuation<QMPGreeting, any Error>? in
                guard state.greeting == nil else { return nil }
                state.greeting = greeting
                defer { state.greetingWaiter = nil }
                return state.greetingWaiter
            }
            waiter?.resume(returning: greeting)
        }
    }

    private enum Reply {
        case success(JSON)
        case failure(QMPErrorBody)
        /// A reply that could not be used, for the reason given.
        case unusable(JSONStreamFramer.MalformedInput)
    }

    private func deliver(id: JSON?, _ reply: Reply) {
        let (pending, anomaly) = state.withLock { state -> (PendingCall?, String?) in
            switch state.matcher.match(replyID: id, callID: { $0.id }) {
            case .success(let pending): return (pending, nil)
            case .failure(.unknownID): return (nil, "reply with an id no pending command has")
            case .failure(.nothingPending):
                return (nil, state.greeting == nil ? "reply before the greeting" : "reply with no pending command")
            }
        }
        if let anomaly {
            let message: JSON
            switch reply {
            case .success(let value): message = ["return": value, "id": id ?? .null]
            case .failure(let body): message = ["error": body.json, "id": id ?? .null]
            case .unusable(let input): message = ["unusable": .string(input.description), "id": id ?? .null]
            }
            recordAnomaly(QMPProtocolError(anomaly, message: message))
            return
        }
        guard let pending, let continuation = state.withLock({ _ in pending.takeContinuation() }) else { return }
        switch reply {
        case .success(let value): continuation.resume(returning: value)
        case .failure(let body): continuation.resume(throwing: QMPError(body, command: pending.name))
        case .unusable(let input):
            continuation.resume(throwing: QMPProtocolError(
                "the reply to '\(pending.name)' could not be used: \(input.reason)", message: .string(input.excerpt)))
        }
    }
}
