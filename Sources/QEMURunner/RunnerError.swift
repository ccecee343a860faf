/// A failure of the guest runner: a configuration that cannot work, a program that cannot start, a guest that
/// does not come up. ``Code`` is a growable set of reasons; the message says what to change.
public struct RunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the runner failed; compare with the static constants. More may be added.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The configuration is refused before QEMU starts.
        public static let invalidConfiguration = Code(rawValue: "invalidConfiguration")
        /// A program (qemu-system-x86_64, qemu-img) is not installed.
        public static let notFound = Code(rawValue: "notFound")
        /// QEMU exited before its monitor was ready.
        public static let qemuExited = Code(rawValue: "qemuExited")
        /// A wait (console text, process exit) ran out of time.
        public static let timedOut = Code(rawValue: "timedOut")
        /// The guest shows no progress (typically KVM that cannot run guests on this host).
        public static let noProgress = Code(rawValue: "noProgress")
        /// qemu-img or another tool failed.
        public static let toolFailed = Code(rawValue: "toolFailed")
        /// A file system operation failed.
        public static let io = Code(rawValue: "io")

        public var description: String { rawValue }
    }

    /// Why it failed.
    public var code: Code
    /// What happened and what to change, one line.
    public var message: String

    /// A failure for `code` with a message for the user.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
