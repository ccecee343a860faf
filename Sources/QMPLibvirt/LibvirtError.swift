public import QMPWire

/// Why a libvirt monitor could not be used. ``message`` is one line that says what to do.
///
/// The code tells the cases apart; new codes may be added. Errors of the monitor itself (a command QEMU refused)
/// are not `LibvirtError`s: they arrive as `QMPError`, as on a local socket.
public struct LibvirtError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The monitor string is not `libvirt:DOMAIN` or `libvirt+URI#DOMAIN`.
        public static let invalidAddress = Code(rawValue: "invalidAddress")
        /// Nothing answers on the local libvirt socket.
        public static let daemonNotRunning = Code(rawValue: "daemonNotRunning")
        /// The socket or the daemon refused this user.
        public static let permissionDenied = Code(rawValue: "permissionDenied")
        /// Any other failure to open the connection (remote host unreachable, bad URI, ...).
        public static let connectionFailed = Code(rawValue: "connectionFailed")
        /// The connection has no domain of that name.
        public static let domainNotFound = Code(rawValue: "domainNotFound")
        /// The domain exists but its QEMU is not running (shut off, crashed).
        public static let domainNotRunning = Code(rawValue: "domainNotRunning")
        /// Libvirt refused a call for another reason; ``LibvirtError/libvirtMessage`` says why.
        public static let callFailed = Code(rawValue: "callFailed")

        public var description: String { rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// One line: what went wrong and what to do about it.
    public var message: String
    /// Libvirt's own message, when libvirt reported the failure.
    public var libvirtMessage: String?

    /// An error with its one-line message.
    public init(_ code: Code, _ message: String, libvirtMessage: String? = nil) {
        self.code = code
        self.message = message
        self.libvirtMessage = libvirtMessage
    }

    public var description: String { message }
}

extension LibvirtError: ReportableError {
    /// `LibvirtError`.
    public var reportClass: String { "LibvirtError" }
    /// The one-line message.
    public var reportMessage: String { message }
    /// A bad monitor string is bad input (2); the rest mean the guest's monitor could not be reached (3).
    public var reportExitStatus: Int32 { code == .invalidAddress ? 2 : 3 }
}
