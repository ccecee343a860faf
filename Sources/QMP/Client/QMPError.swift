import QMPWire

/// A QMP command that QEMU answered with an error.
///
/// Not a connection problem: the monitor is still there and further commands can be sent (see
/// ``QMPConnectionError`` for that). Its description is the one-line form the CLI prints:
/// `CommandNotFound: The command no-such-command has not been found`.
public struct QMPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// QEMU's error class, e.g. `GenericError` or `DeviceNotFound`.
    public var errorClass: QMPErrorClass
    /// QEMU's human-readable description.
    public var message: String
    /// The command that failed, when known.
    public var command: String?

    public init(errorClass: QMPErrorClass, message: String, command: String? = nil) {
        self.errorClass = errorClass
        self.message = message
        self.command = command
    }

    public init(_ body: QMPErrorBody, command: String? = nil) {
        self.init(errorClass: QMPErrorClass(rawValue: body.errorClass), message: body.description, command: command)
    }

    public var description: String { "\(errorClass.rawValue): \(message)" }
}

/// A QMP error class. QEMU defines a handful; unknown classes from newer versions are kept as they are.
public struct QMPErrorClass: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public static let genericError: QMPErrorClass = "GenericError"
    public static let commandNotFound: QMPErrorClass = "CommandNotFound"
    public static let deviceNotActive: QMPErrorClass = "DeviceNotActive"
    public static let deviceNotFound: QMPErrorClass = "DeviceNotFound"
    public static let kvmMissingCap: QMPErrorClass = "KVMMissingCap"

    public var description: String { rawValue }
}

/// A call or a wait that did not complete within its time limit.
///
/// For a command, the reply may still arrive later; it is then discarded and the connection stays usable.
public struct QMPTimeoutError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was waited for, e.g. `query-status` or `event DEVICE_DELETED`.
    public var operation: String
    public var timeout: Duration
    /// More on why, when the client knows (e.g. events a wait may have missed were evicted from the history).
    public var detail: String?

    public init(operation: String, timeout: Duration, detail: String? = nil) {
        self.operation = operation
        self.timeout = timeout
        self.detail = detail
    }

    /// `no answer to OPERATION within Ns` (and the detail), without a class prefix: the CLI adds `Timeout: `.
    public var message: String {
        "no answer to \(operation) within \(timeout.secondsText)" + (detail.map { "; " + $0 } ?? "")
    }

    public var description: String { "Timeout: " + message }
}

/// A reply that arrived but does not decode as the command's typed response.
public struct QMPResponseDecodingError: Error, Sendable, CustomStringConvertible {
    public var command: String
    public var reason: String
    /// The reply as received.
    public var value: JSON

    public init(command: String, reason: String, value: JSON) {
        self.command = command
        self.reason = reason
        self.value = value
    }

    public var description: String { "cannot decode the reply to \(command): \(reason)" }
}

extension Duration {
    /// The duration as seconds, e.g. `2s` or `0.25s`.
    var secondsText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18)s"
    }
}
