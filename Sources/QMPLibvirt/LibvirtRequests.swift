#if canImport(Glibc)
import Glibc
#endif
import QMPWire

/// What the libvirt transport does with each request, with no I/O.
///
/// Libvirt owns the real monitor (it negotiated capabilities and numbers its own commands), so the transport
/// answers `qmp_capabilities` itself, refuses what libvirt cannot carry (`exec-oob`), and sends every other command
/// without its `id` (libvirt refuses one), putting the `id` back on QEMU's answer.
struct LibvirtRequests: Sendable {
    /// What the transport does with one request.
    enum Action: Equatable, Sendable {
        /// Answer with this message at once.
        case reply(JSONObject)
        /// Send `command` through libvirt; answer with ``LibvirtRequests/reply(to:id:)``.
        case forward(command: JSONObject, id: JSON?)
    }

    /// Whether `qmp_capabilities` was answered (the transport starts negotiated: its greeting offers nothing to
    /// negotiate, so the client sends none).
    private(set) var negotiated: Bool

    init(negotiated: Bool = false) {
        self.negotiated = negotiated
    }

    /// Handles one request the client sent.
    mutating func handle(_ request: JSONObject) -> Action {
        let id = request["id"]
        if request["exec-oob"] != nil {
            return .reply(Self.error("GenericError", "out-of-band execution is not available through libvirt", id: id))
        }
        guard let name = request["execute"]?.stringValue else {
            return .reply(Self.error("GenericError", "QMP input lacks member 'execute'", id: id))
        }
        if name == "qmp_capabilities" {
            if negotiated {
                return .reply(Self.error("CommandNotFound", "Capabilities negotiation is already complete, command ignored", id: id))
            }
            negotiated = true
            return .reply(Self.reply(to: ["return": .object([:])], id: id))
        }
        guard negotiated else {
            return .reply(Self.error("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'", id: id))
        }
        var command = request
        command["id"] = nil
        return .forward(command: command, id: id)
    }

    /// A request in the client's own encoding, to forward to libvirt as it is written.
    struct Forward: Equatable, Sendable {
        /// The client's `id` (none when the request had none), put back on the reply.
        var id: JSON?
    }

    /// Recognises a request in the client's own encoding, `{"execute": NAME, "arguments": …, "id": …}` (the last
    /// two optional, any order), without parsing it, and writes the command for libvirt into `text`: the request
    /// without its `id`, NUL-terminated. `nil` for anything else (`exec-oob`, `qmp_capabilities`, other members, a
    /// key or name with escapes, a repeated member, a structure it cannot follow): that takes ``handle(_:)`` after
    /// a full parse, so every answer stays as before. The `arguments` are passed on unparsed: libvirt parses the
    /// command and refuses invalid JSON, which fails that call.
    ///
    /// This is the libvirt transport's hot path: the full parse, the `id`'s removal and the re-serialization cost
    /// about 7k instructions a command (callgrind), this about 0.5k.
    func forwardable(_ request: UnsafeRawBufferPointer, into text: inout [UInt8]) -> Forward? {
        guard negotiated else { return nil }
        var scanner = JSONMemberScanner(request)
        var execute: JSONMemberScanner.Member?
        var arguments: JSONMemberScanner.Member?
        var idMember: JSONMemberScanner.Member?
        while let member = scanner.next() {
            if execute == nil, scanner.key(of: member, is: "execute") {
                execute = member
            } else if arguments == nil, scanner.key(of: member, is: "arguments") {
                arguments = member
            } else if idMember == nil, scanner.key(of: member, is: "id") {
                idMember = member
            } else {
                return nil
            }
        }
        guard scanner.finished, let execute, Self.isPlainString(execute.value, in: request),
            !Self.bytes(execute.value, in: request, equal: #""qmp_capabilities""#)
        else { return nil }
        var id: JSON?
        if let idMember {
            guard let value = try? JSON(parsing: UnsafeRawBufferPointer(rebasing: request[idMember.value])) else { return nil }
            id = value
        }
        text.removeAll(keepingCapacity: true)
        text.append(UInt8(ascii: "{"))
        Self.append(execute.whole, of: request, to: &text)
        if let arguments {
            text.append(UInt8(ascii: ","))
            Self.append(arguments.whole, of: request, to: &text)
        }
        text.append(UInt8(ascii: "}"))
        text.append(0)
        return Forward(id: id)
    }

    /// A JSON string with no escapes.
    private static func isPlainString(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""), bytes[range.upperBound - 1] == UInt8(ascii: "\"")
        else { return false }
        return !bytes[range].contains(UInt8(ascii: "\\"))
    }

    private static func bytes(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer, equal text: StaticString) -> Bool {
        range.count == text.utf8CodeUnitCount && memcmp(bytes.baseAddress! + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// Appends `range` of `bytes` in one copy.
    private static func append(_ range: Range<Int>, of bytes: UnsafeRawBufferPointer, to text: inout [UInt8]) {
        text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes.assumingMemoryBound(to: UInt8.self)[range]))
    }

    /// What the client receives for libvirt's reply `text`: QEMU's answer with libvirt's `id` replaced by the
    /// client's `id` (as ``reply(to:id:)``), or, when the text cannot be used, a malformed item that ends exactly
    /// this call with a protocol error.
    ///
    /// Libvirt's usual reply is not parsed as a whole: only its `return` or `error` value is (see
    /// ``answerValue(in:)``), and the reply is built around it. Anything else takes a full parse.
    static func reply(parsing text: UnsafeRawBufferPointer, id: JSON?) -> JSONStreamFramer.Item {
        if let answer = answerValue(in: text),
            let value = try? JSON(parsing: UnsafeRawBufferPointer(rebasing: text[answer.value]))
        {
            var reply = JSONObject()
            reply[answer.key] = value
            if let id { reply["id"] = id }
            return .object(reply)
        }
        let excerpt = String(decoding: text.prefix(200), as: UTF8.self)
        let reason: String
        do {
            if let object = try JSON(parsing: text).objectValue { return .object(Self.reply(to: object, id: id)) }
            reason = "libvirt returned a reply that is not a JSON object: \(excerpt)"
        } catch {
            reason = "libvirt returned a reply that cannot be used (\(error)): \(excerpt)"
        }
        // Ends exactly this call, with a protocol error; later replies stay matched.
        return .malformed(.init(reason: reason, excerpt: "", kind: .invalidObject, keys: ["return"], id: id))
    }

    /// Where the value is in libvirt's reply when it has one of the two compact shapes libvirt prints,
    /// `{"return":VALUE,"id":"libvirt-N"}` and `{"id":"libvirt-N","error":VALUE}` (or `return` after the id, or
    /// `error` before it), the id a string without escapes. Found at the two ends of the text, with no pass over
    /// VALUE: VALUE must then parse as exactly one JSON value, which proves the shape. `nil` for anything else.
    static func answerValue(in text: UnsafeRawBufferPointer) -> (key: String, value: Range<Int>)? {
        guard text.count >= 2, text[0] == UInt8(ascii: "{"), text[text.count - 1] == UInt8(ascii: "}") else { return nil }
        let last = text.count - 1
        func has(_ word: StaticString, at offset: Int) -> Bool {
            offset >= 0 && offset + word.utf8CodeUnitCount <= text.count
                && memcmp(text.baseAddress! + offset, word.utf8Start, word.utf8CodeUnitCount) == 0
        }
        func key(at offset: Int) -> (key: String, end: Int)? {
            if has(#""return":"#, at: offset) { return ("return", offset + 9) }
            if has(#""error":"#, at: offset) { return ("error", offset + 8) }
            return nil
        }
        if has(#"{"id":""#, at: 0) {
            // The id first: its string ends at the next quote (no escapes in it), then the answer runs to the end.
            var end = 7
            while end < last, text[end] != UInt8(ascii: "\""), text[end] != UInt8(ascii: "\\") { end += 1 }
            guard end < last, text[end] == UInt8(ascii: "\""), text[end + 1] == UInt8(ascii: ","), let answer = key(at: end + 2)
            else { return nil }
            return (answer.key, answer.end..<last)
        }
        // The answer first: the id's string is the last one, so it starts at the quote before the closing one.
        guard let answer = key(at: 1), text[last - 1] == UInt8(ascii: "\"") else { return nil }
        var start = last - 2
        while start > answer.end, text[start] != UInt8(ascii: "\""), text[start] != UInt8(ascii: "\\") { start -= 1 }
        // `,"id":"` ends with the id's opening quote.
        guard text[start] == UInt8(ascii: "\""), start - 6 > answer.end, has(#","id":""#, at: start - 6) else { return nil }
        return (answer.key, answer.end..<(start - 6))
    }

    /// The answer for input that is not a JSON object (QEMU answers those without an `id`).
    static func parseError(_ reason: String) -> JSONObject {
        error("GenericError", "JSON parse error, \(reason)", id: nil)
    }

    /// QEMU's answer as libvirt returned it, with libvirt's `id` replaced by the client's (or none).
    static func reply(to answer: JSONObject, id: JSON?) -> JSONObject {
        var reply = answer
        reply["id"] = nil
        if let id { reply["id"] = id }
        return reply
    }

    /// An error reply in QMP's shape.
    static func error(_ errorClass: String, _ description: String, id: JSON?) -> JSONObject {
        var reply: JSONObject = ["error": ["class": .string(errorClass), "desc": .string(description)]]
        if let id { reply["id"] = id }
        return reply
    }

    /// An event libvirt relayed, in QMP's shape. `details` is the event's `data` as JSON text (none for some
    /// events); a negative `seconds` (libvirt had no timestamp) takes `now`.
    static func event(
        name: String, seconds: Int64, microseconds: Int64, details: String?, now: () -> (seconds: Int64, microseconds: Int64)
    ) -> JSONObject {
        var event: JSONObject = ["event": .string(name)]
        if let details, let data = try? JSON(parsing: details) { event["data"] = data }
        let time = seconds >= 0 ? (seconds: seconds, microseconds: microseconds) : now()
        event["timestamp"] = ["seconds": .int(time.seconds), "microseconds": .int(time.microseconds)]
        return event
    }
}
