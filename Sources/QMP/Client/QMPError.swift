import QMPWire

/// A QMP command that QEMU answered with an error.
///
/// Not a connection problem: the monitor is still there and further commands can be sent (see
/// `QMPConnectionError` for that). Its description is the one-line form the CLI prints:
/// `CommandNotFound: The command no-such-command has not been found`.
public struct QMPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// QEMU's error class, e.g. `GenericError` or `DeviceNotFound`.
    public var errorClass: QMPErrorClass
    /// QEMU's human-readable description.
    public var message: String
    /// The command that failed, when known.
    public var command: String?

    /// An error with this class and message, as a test double or a wrapper would build it.
    ///
    /// - Parameters:
    ///   - errorClass: The error class, e.g. ``QMPErrorClass/deviceNotFound``.
    ///   - message: The human-readable text; ``description`` prints it after the class.
    ///   - command: The command that failed, or `nil` when unknown.
    public init(errorClass: QMPErrorClass, message: String, command: String? = nil) {
        self.errorClass = errorClass
        self.message = message
        self.command = command
    }

    /// The error from an `error` reply's body: its class (kept as is when unknown) and its description as the
    /// message.
    ///
    /// - Parameters:
    ///   - body: The decoded `error` member of QEMU's reply.
    ///   - command: The command the reply answers, or `nil` when unknown.
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

    /// `GenericError`: the class of almost every failure; only the message tells them apart, so match on
    /// ``QMPError/message`` text only as a last resort.
    public static let genericError: QMPErrorClass = "GenericError"
    /// `CommandNotFound`: this QEMU does not know the command (too old, built without the feature, or a typo).
    public static let commandNotFound: QMPErrorClass = "CommandNotFound"
    /// `DeviceNotActive`: the device the command needs exists in QEMU but is not enabled or not in use.
    public static let deviceNotActive: QMPErrorClass = "DeviceNotActive"
    /// `DeviceNotFound`: no device, node or object has the id or path the command named.
    public static let deviceNotFound: QMPErrorClass = "DeviceNotFound"
    /// `KVMMissingCap`: the command needs a KVM capability that the host's kernel does not offer.
    public static let kvmMissingCap: QMPErrorClass = "KVMMissingCap"

    public var description: String { rawValue }
}

/// A call or a wait that did not complete within its time limit.
///
/// For a command, the reply may still arrive later; it is then discarded and the connection stays usable.
public struct QMPTimeoutError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was waited for, e.g. `query-status` or `event DEVICE_DELETED`.
    public var operation: String
    /// The time limit that ran out, measured from when the call or wait began.
    public var timeout: Duration
    /// More on why, when the client knows (e.g. events a wait may have missed were evicted from the history).
    public var detail: String?

    /// A timeout for `operation` after `timeout`.
    ///
    /// - Parameters:
    ///   - operation: What was waited for, as it should read after "no answer to" in ``message``.
    ///   - timeout: The limit that ran out.
    ///   - detail: An extra clause appended to ``message`` after a semicolon, or `nil`.
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
    /// The name of the command whose reply failed to decode, e.g. `query-block`.
    public var command: String
    /// What the decoder objected to (its error's description: a missing key, a wrong type, and the coding path).
    public var reason: String
    /// The reply as received.
    public var value: JSON

    /// A decoding failure for `command`'s reply `value`, with the decoder's `reason`.
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
