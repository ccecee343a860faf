/// The monitor could not be reached, or the connection to it broke.
///
/// Separate from a command's own failure (`QMPError` in the QMP module): a connection error means nothing more
/// can be sent. ``Code`` is a growable set of reasons; match on it, not on the message.
public struct QMPConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the connection failed.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The reason's name, e.g. `refused`.
        public var rawValue: String
        /// The reason named `rawValue`; prefer the static constants.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// No socket at that path.
        public static let notFound = Code(rawValue: "notFound")
        /// Nothing accepts connections there (QEMU not running, or not yet listening).
        public static let refused = Code(rawValue: "refused")
        /// Permission denied on the socket.
        public static let permissionDenied = Code(rawValue: "permissionDenied")
        /// Host name did not resolve.
        public static let unresolvable = Code(rawValue: "unresolvable")
        /// No greeting arrived in time; usually another client holds the monitor (QMP serves one at a time).
        public static let noGreeting = Code(rawValue: "noGreeting")
        /// Capabilities negotiation was refused.
        public static let negotiationFailed = Code(rawValue: "negotiationFailed")
        /// The peer closed the connection (QEMU exited or dropped the client).
        public static let closedByPeer = Code(rawValue: "closedByPeer")
        /// This side closed the connection.
        public static let closedByClient = Code(rawValue: "closedByClient")
        /// A read or write failed.
        public static let ioError = Code(rawValue: "ioError")
        /// The peer broke the protocol in a way the connection cannot recover from.
        public static let protocolViolation = Code(rawValue: "protocolViolation")
        /// The connection could not be set up within the time limit (the monitor accepts no connections: QEMU
        /// stopped or busy, or another client holds it).
        public static let timedOut = Code(rawValue: "timedOut")
        /// Too many bytes already wait to be sent (the monitor is not reading). The connection stays open; the
        /// request was not sent.
        public static let sendQueueFull = Code(rawValue: "sendQueueFull")
        /// Any other failure to set up a socket.
        public static let socketError = Code(rawValue: "socketError")

        /// The reason's name.
        public var description: String { rawValue }
    }

    /// Why the connection failed; match on this.
    public var code: Code
    /// A one-line explanation for people, naming the address or system call where it helps.
    public var message: String
    /// The system error number, when one was involved.
    public var errno: Int32?

    /// A connection failure for `code`, with the system error number when one was involved.
    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// The ``message`` alone, without the code: it is the line the CLI prints after `ConnectionError: `.
    public var description: String { message }
}
