/// One message from a QMP server, classified by its top-level key.
///
/// ```swift
/// switch try QMPMessage(object) {
/// case .greeting(let greeting): ...
/// case .success(let id, let value): ...
/// case .failure(let id, let error): ...
/// case .event(let event): ...
/// }
/// ```
public enum QMPMessage: Sendable, Equatable {
    /// The server's first message: version and offered capabilities.
    case greeting(QMPGreeting)
    /// A successful reply (`{"return": ...}`), with the request's `id` when it had one.
    case success(id: JSON?, value: JSON)
    /// A failed reply (`{"error": {"class": ..., "desc": ...}}`), with the request's `id` when it had one.
    case failure(id: JSON?, error: QMPErrorBody)
    /// An asynchronous event.
    case event(QMPEventMessage)

    /// Classifies `object`; throws ``QMPProtocolError`` when it is none of the four QMP shapes.
    public init(_ object: JSONObject) throws(QMPProtocolError) {
        // Replies are by far the most common message, so look for them first.
        if let value = object["return"] {
            self = .success(id: object["id"], value: value)
        } else if let error = object["error"] {
            guard case .object(let body) = error else {
                throw QMPProtocolError("'error' member is not an object", message: .object(object))
            }
            self = .failure(id: object["id"], error: QMPErrorBody(body))
        } else if let name = object["event"] {
            guard case .string(let name) = name else {
                throw QMPProtocolError("'event' member is not a string", message: .object(object))
            }
            self = .event(QMPEventMessage(name: name, data: object["data"] ?? .object([:]),
                                          timestamp: QMPTimestamp(object["timestamp"])))
        } else if let greeting = object["QMP"] {
            self = .greeting(QMPGreeting(greeting))
        } else {
            throw QMPProtocolError("message is neither a reply, an error, an event nor a greeting",
                                   message: .object(object))
        }
    }

    /// The message as QMP's JSON object.
    public var json: JSON {
        switch self {
        case .greeting(let greeting): return ["QMP": greeting.json]
        case .success(let id, let value):
            var object: JSONObject = ["return": value]
            if let id { object["id"] = id }
            return .object(object)
        case .failure(let id, let error):
            var object: JSONObject = ["error": error.json]
            if let id { object["id"] = id }
            return .object(object)
        case .event(let event): return event.json
        }
    }
}

/// A message that breaks the QMP protocol (as opposed to a command that failed).
public struct QMPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What rule the message broke.
    public var reason: String
    /// The offending message, when there was one.
    public var message: JSON?

    /// A protocol violation, with the offending message when there was one.
    public init(_ reason: String, message: JSON? = nil) {
        self.reason = reason
        self.message = message
    }

    /// The reason, followed by the offending message in JSON when there was one.
    public var description: String {
        message.map { "\(reason): \($0.serialized())" } ?? reason
    }
}

/// The body of a QMP error reply: its class (e.g. `CommandNotFound`) and human description.
public struct QMPErrorBody: Sendable, Equatable {
    /// The error class, e.g. `GenericError`, `CommandNotFound`, `DeviceNotFound`.
    public var errorClass: String
    /// QEMU's description of what went wrong.
    public var description: String

    /// An error body with this class and description.
    public init(errorClass: String, description: String) {
        self.errorClass = errorClass
        self.description = description
    }

    /// Reads a body tolerantly: a missing class is `GenericError`, a missing description is empty.
    public init(_ body: JSONObject) {
        errorClass = body["class"]?.stringValue ?? "GenericError"
        description = body["desc"]?.stringValue ?? ""
    }

    /// The body as it goes on the wire: `{"class": ..., "desc": ...}`.
    public var json: JSON { ["class": .string(errorClass), "desc": .string(description)] }
}

/// An event as it arrives: name, data (an empty object when QEMU sends none) and QEMU's timestamp.
public struct QMPEventMessage: Sendable, Equatable {
    /// The event's name, e.g. `DEVICE_DELETED`.
    public var name: String
    /// The event's `data`; an empty object when QEMU sent none.
    public var data: JSON
    /// When QEMU emitted the event, by QEMU's clock.
    public var timestamp: QMPTimestamp

    /// An event with this name, data and timestamp.
    public init(name: String, data: JSON = .object([:]), timestamp: QMPTimestamp = QMPTimestamp()) {
        self.name = name
        self.data = data
        self.timestamp = timestamp
    }

    /// The event as it goes on the wire: `{"event": ..., "data": ..., "timestamp": ...}`.
    public var json: JSON {
        ["event": .string(name), "data": data, "timestamp": timestamp.json]
    }
}

/// QEMU's event timestamp: wall-clock seconds and microseconds (`-1`/`-1` when QEMU could not read the clock).
public struct QMPTimestamp: Sendable, Hashable {
    /// Whole seconds since the Unix epoch.
    public var seconds: Int64
    /// Microseconds within the second (0 to 999 999).
    public var microseconds: Int64

    /// A timestamp; the default is the epoch itself.
    public init(seconds: Int64 = 0, microseconds: Int64 = 0) {
        self.seconds = seconds
        self.microseconds = microseconds
    }

    init(_ json: JSON?) {
        seconds = json?["seconds"]?.int64Value ?? 0
        microseconds = json?["microseconds"]?.int64Value ?? 0
    }

    /// Seconds since the Unix epoch as a floating-point number.
    public var timeInterval: Double { Double(seconds) + Double(microseconds) / 1_000_000 }

    /// The timestamp as it goes on the wire: `{"seconds": ..., "microseconds": ...}`.
    public var json: JSON { ["seconds": .int(seconds), "microseconds": .int(microseconds)] }
}

/// The greeting QEMU sends when a client connects.
public struct QMPGreeting: Sendable, Equatable {
    /// QEMU's version as `major.minor.micro`.
    public var version: QEMUVersion
    /// Capabilities offered by the server, e.g. `oob`.
    public var capabilities: [String]
    /// The greeting as received.
    public var raw: JSON

    /// Reads the object inside the greeting's `QMP` member: `version` and `capabilities` (missing parts
    /// become 0 or empty).
    public init(_ json: JSON) {
        raw = json
        version = QEMUVersion(json["version"] ?? .null)
        capabilities = json["capabilities"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The greeting's inner object as received.
    public var json: JSON { raw }
}

/// A QEMU version as reported in the greeting and by `query-version`.
public struct QEMUVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The major version (7 in 7.2.22).
    public var major: Int
    /// The minor version (2 in 7.2.22).
    public var minor: Int
    /// The micro version (22 in 7.2.22).
    public var micro: Int
    /// Distribution package string, e.g. `Debian 1:7.2+dfsg-7+deb12u18`.
    public var package: String

    /// The version `major.minor.micro`, with an optional distribution package string.
    public init(major: Int, minor: Int, micro: Int, package: String = "") {
        self.major = major
        self.minor = minor
        self.micro = micro
        self.package = package
    }

    /// Reads `{"qemu": {"major":..,"minor":..,"micro":..}, "package": ".."}`; missing parts are 0 / empty.
    public init(_ json: JSON) {
        let qemu = json["qemu"]
        major = qemu?["major"]?.intValue ?? 0
        minor = qemu?["minor"]?.intValue ?? 0
        micro = qemu?["micro"]?.intValue ?? 0
        package = json["package"]?.stringValue?.trimmingSpaces ?? ""
    }

    /// `major.minor.micro`, without the package string.
    public var description: String { "\(major).\(minor).\(micro)" }

    /// Orders by major, minor, then micro; the package string is ignored.
    public static func < (lhs: QEMUVersion, rhs: QEMUVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.micro) < (rhs.major, rhs.minor, rhs.micro)
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}

/// Builds the request object for a command.
public enum QMPRequest {
    /// `{"execute": name, "arguments": arguments, "id": id}` (or `exec-oob` when `outOfBand`), as one line.
    public static func encode(
        _ name: String, arguments: JSON? = nil, id: JSON? = nil, outOfBand: Bool = false, into bytes: inout [UInt8]
    ) {
        bytes.append(contentsOf: outOfBand ? #"{"exec-oob":"#.utf8 : #"{"execute":"#.utf8)
        JSON.writeString(name, into: &bytes)
        if let arguments, arguments != .object([:]) {
            bytes.append(contentsOf: #","arguments":"#.utf8)
            arguments.write(into: &bytes)
        }
        if let id {
            bytes.append(contentsOf: #","id":"#.utf8)
            id.write(into: &bytes)
        }
        bytes.append(contentsOf: "}\n".utf8)
    }
}
