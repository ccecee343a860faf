/// The text an HMP `info` command printed could not be read as its typed result.
///
/// Not errors: unknown lines (they are skipped), missing lines (their fields are `nil`), `\r\n` or `\n` line ends,
/// and empty output from the list commands (`info block`, `info network` and `info pci` print nothing when there
/// is nothing to list).
///
/// ```swift
/// do {
///     let balloon = try HMPBalloonInfo(parsing: text)
/// } catch let error as HMPParseError where error.code == .monitorError {
///     print(error.message)   // "No balloon device has been activated"
/// }
/// ```
public struct HMPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; more codes may be added.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The command printed nothing where a result was expected (`info status`, `info version`, ...).
        public static let emptyOutput = Code(rawValue: "empty-output")
        /// QEMU printed an error instead of a result (`Error: ...`, `unknown command: ...`); the message is QEMU's.
        public static let monitorError = Code(rawValue: "monitor-error")
        /// Nothing in the text looked like the command's result.
        public static let unrecognizedOutput = Code(rawValue: "unrecognized-output")

        public var description: String { rawValue }
    }

    /// What kind of failure; compare with the `Code` constants.
    public var code: Code
    /// The command whose output this was, e.g. `info block`.
    public var command: String
    /// What went wrong; for ``Code/monitorError`` the error text QEMU printed.
    public var message: String

    /// A parse failure of `command`'s output.
    public init(code: Code, command: String, message: String) {
        self.code = code
        self.command = command
        self.message = message
    }

    public var description: String { "\(command): \(message)" }
}
