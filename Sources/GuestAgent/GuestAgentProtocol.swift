public import QMPWire
public import QMP

/// The guest agent's wire protocol as a pure state machine: no sockets, no clocks, no threads.
///
/// The agent (qemu-ga) sends no greeting and answers one command at a time. A new connection may first receive
/// replies meant for an earlier client, so a client synchronises before its first command and again after any
/// time-out or protocol error: it sends the byte `0xFF` (which resets the agent's parser) and
/// `guest-sync-delimited` with a random id; the agent answers `0xFF` followed by `{"return": ID}`. Everything
/// before that delimited reply is stale and is discarded (and counted). The lone `0xFF` draws one parse-error
/// reply without an `id`, which is skipped.
///
/// Commands carry an `id` that the agent echoes; a reply with another id is stale. Some commands
/// (`guest-shutdown`, `guest-suspend-*`) never answer: the connection simply ends, which is their success.
///
/// The owner feeds received bytes to ``receive(_:)-([UInt8])`` and acts on the ``Output`` values; it calls
/// ``abandon()`` when it gives up waiting, so the next command synchronises first.
public struct GuestAgentProtocol: Sendable {
    /// Where the conversation stands.
    public enum Phase: Sendable, Equatable {
        /// Nothing known about the stream: synchronise before the next command.
        case unsynchronized
        /// A `guest-sync-delimited` with this id was sent.
        case synchronizing(id: Int64)
        /// Synchronised, nothing in flight.
        case ready
        /// A command with this id was sent and its reply is awaited.
        case awaitingReply(id: Int64)
        /// A command that ends the connection (no reply on success) was sent; an error reply may still come.
        case awaitingEnd(id: Int64)
        /// The stream ended.
        case closed
    }

    /// Why received input was not handed to anyone.
    public enum Discard: Sendable, Equatable {
        /// A reply meant for an earlier client or a command given up on.
        case staleReply
        /// The agent's parse-error reply to the lone `0xFF` of a synchronisation.
        case strayParseError
        /// Bytes that are not a JSON object.
        case malformed(String)
    }

    /// What the owner must act on after ``receive(_:)-([UInt8])`` or ``endOfStream()``.
    public enum Output: Sendable, Equatable {
        /// The synchronisation with this id completed: commands may be sent.
        case synchronized(id: Int64)
        /// The reply to the command with this id.
        case reply(id: Int64, Result<JSON, QMPError>)
        /// The stream ended; `expectedBy` is the id of a command that ends the connection by design.
        case ended(expectedBy: Int64?)
        /// Input that was skipped.
        case discarded(Discard)
        /// The stream cannot be framed any further (a message over the size limit); synchronise again.
        case protocolError(String)
    }

    /// The current phase.
    public private(set) var phase: Phase = .unsynchronized
    /// Replies discarded as stale (earlier clients, abandoned commands).
    public private(set) var staleReplies = 0
    /// Parse-error replies to the synchronisation byte that were skipped.
    public private(set) var strayParseErrors = 0
    /// Pieces of input that were not JSON objects.
    public private(set) var malformedInputs = 0
    /// Completed synchronisations.
    public private(set) var synchronizations = 0
    /// Keep every JSON object received, for ``takeReceivedMessages()`` (a transcript or a wire log); off by
    /// default, so nothing is kept that no one reads.
    public var keepsReceivedMessages = false
    private var receivedMessages: [JSONObject] = []

    private var framer: JSONStreamFramer
    private let maximumMessageSize: Int
    /// The next object framed follows a `0xFF` delimiter.
    private var afterDelimiter = false
    /// Name of the command in flight (for error messages).
    private var commandName: String?

    /// The delimiter byte of `guest-sync-delimited`.
    public static let delimiter: UInt8 = 0xFF

    /// A protocol with the given message size limit (the agent's file reads return up to 48 MiB of base64).
    public init(maximumMessageSize: Int = 256 << 20) {
        self.maximumMessageSize = maximumMessageSize
        framer = JSONStreamFramer(maximumMessageSize: maximumMessageSize)
    }

    /// Whether a command may be sent now.
    public var isReady: Bool { phase == .ready }

    /// Starts a synchronisation: the bytes to send. Anything in flight is abandoned.
    public mutating func synchronize(id: Int64) -> [UInt8] {
        phase = .synchronizing(id: id)
        commandName = nil
        var bytes: [UInt8] = [Self.delimiter]
        let request: JSON = ["execute": "guest-sync-delimited", "arguments": ["id": .int(id)]]
        request.write(into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Starts a command: the bytes to send. Throws `QMPUsageError` unless the protocol is ``Phase/ready``.
    public mutating func command(
        _ name: String, arguments: JSONObject? = nil, id: Int64, endsConnection: Bool = false
    ) throws(QMPUsageError) -> [UInt8] {
        guard phase == .ready else {
            throw QMPUsageError("the guest agent protocol is not ready for a command (\(phase))")
        }
        var request: JSONObject = ["execute": .string(name)]
        if let arguments, !arguments.isEmpty { request["arguments"] = .object(arguments) }
        request["id"] = .int(id)
        var bytes: [UInt8] = []
        JSON.object(request).write(into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        phase = endsConnection ? .awaitingEnd(id: id) : .awaitingReply(id: id)
        commandName = name
        return bytes
    }

    /// Gives up on what is in flight (a time-out, a cancelled call): the next command synchronises first, and a
    /// late reply is discarded as stale.
    public mutating func abandon() {
        guard phase != .closed else { return }
        phase = .unsynchronized
        commandName = nil
    }

    /// The peer closed the stream.
    public mutating func endOfStream() -> Output {
        let expected: Int64? = if case .awaitingEnd(let id) = phase { id } else { nil }
        phase = .closed
        commandName = nil
        return .ended(expectedBy: expected)
    }

    /// Feeds received bytes; returns what happened, in order.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer) -> [Output] {
        var outputs: [Output] = []
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != Self.delimiter { end += 1 }
            if end > start {
                framer.append(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                drain(into: &outputs)
            }
            if end < bytes.count {
                // The delimiter: whatever partial input precedes it is dropped; the next object is delimited.
                if framer.bufferedByteCount > 0 {
                    malformedInputs += 1
                    outputs.append(.discarded(.malformed("incomplete input before a delimiter")))
                }
                framer = JSONStreamFramer(maximumMessageSize: maximumMessageSize)
                afterDelimiter = true
            }
            start = end + 1
        }
        return outputs
    }

    /// Feeds received bytes; returns what happened, in order.
    public mutating func receive(_ bytes: [UInt8]) -> [Output] {
        bytes.withUnsafeBytes { receive($0) }
    }

    private mutating func drain(into outputs: inout [Output]) {
        while true {
            let item: JSONStreamFramer.Item?
            do {
                item = try framer.next()
            } catch {
                framer = JSONStreamFramer(maximumMessageSize: maximumMessageSize)
                afterDelimiter = false
                abandon()
                outputs.append(.protocolError(error.description))
                return
            }
            guard let item else { return }
            switch item {
            case .object(let object):
                outputs.append(handle(object))
            case .malformed(let input) where input.kind == .tooLarge || input.kind == .tooDeep:
                // A message the agent sent but that cannot be read (the framer skipped it as it arrived): the reply
                // in front is lost, so that call fails and the connection synchronises again.
                afterDelimiter = false
                malformedInputs += 1
                abandon()
                outputs.append(.protocolError(input.description))
            case .malformed(let input):
                afterDelimiter = false
                malformedInputs += 1
                outputs.append(.discarded(.malformed(input.description)))
            }
        }
    }

    /// The JSON objects received since the last call, in order, when ``keepsReceivedMessages`` is on: replies,
    /// the synchronisation's answer and stale or stray replies alike.
    public mutating func takeReceivedMessages() -> [JSONObject] {
        defer { receivedMessages.removeAll() }
        return receivedMessages
    }

    private mutating func handle(_ object: JSONObject) -> Output {
        if keepsReceivedMessages { receivedMessages.append(object) }
        let delimited = afterDelimiter
        afterDelimiter = false
        switch phase {
        case .synchronizing(let id):
            if delimited, object["return"]?.int64Value == id, object["error"] == nil {
                phase = .ready
                synchronizations += 1
                return .synchronized(id: id)
            }
        case .awaitingReply(let id), .awaitingEnd(let id):
            if object["id"]?.int64Value == id {
                let name = commandName
                phase = .ready
                commandName = nil
                if let error = object["error"]?.objectValue {
                    return .reply(id: id, .failure(QMPError(
                        errorClass: QMPErrorClass(rawValue: error["class"]?.stringValue ?? "GenericError"),
                        message: error["desc"]?.stringValue ?? "the guest agent reported an error", command: name)))
                }
                return .reply(id: id, .success(object["return"] ?? .object([:])))
            }
        case .unsynchronized, .ready, .closed:
            break
        }
        return .discarded(discard(object))
    }

    private mutating func discard(_ object: JSONObject) -> Discard {
        if object["id"] == nil, let error = object["error"]?.objectValue,
            error["desc"]?.stringValue?.hasPrefix("JSON parse error") == true
        {
            strayParseErrors += 1
            return .strayParseError
        }
        staleReplies += 1
        return .staleReply
    }
}
