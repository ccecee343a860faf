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
