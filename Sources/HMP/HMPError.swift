/// An HMP command that QEMU reported as failed.
///
/// HMP has no error status: QEMU prints the failure as ordinary text ("unknown command: 'x'",
/// "Error: Device 'x' not found", a usage line). ``HMPFailureDetector`` recognises those texts; the description is the
/// one-line form the CLI prints, `HMPError: Device 'x' not found`.
public struct HMPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command line that failed.
    public var command: String
    /// QEMU's message, without its `Error: ` prefix.
    public var message: String
    /// The whole text QEMU printed.
    public var output: String

    /// A failure of `command`: `message` is QEMU's message without `Error: `, `output` the whole text.
    public init(command: String, message: String, output: String) {
        self.command = command
        self.message = message
        self.output = output
    }

    public var description: String { "HMPError: \(message)" }
}

/// Recognises the texts with which HMP reports a failed command.
///
/// What counts as a failure (QEMU 7.2): a first line that starts with `Error: ` or `unknown command: `, or is one of
/// the bare messages some commands print (`Could not open ...`, `Device '...' not found`, `...: ... expected`), and
/// any text with a `Try "help ..." for more information` usage line. Everything else, including empty output, is
/// success.
public enum HMPFailureDetector {
    /// The failure message in `output`, or `nil` when the output reports success.
    public static func failure(in output: String) -> String? {
        let lines = output.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
            .map(String.init)
        guard let first = lines.first else { return nil }
        if first.hasPrefix("Error: ") { return String(first.dropFirst("Error: ".count)) }
        if first.hasPrefix("unknown command: ") { return first }
        if first.hasPrefix("Could not open ") || first.hasPrefix("Could not ") { return first }
        if first.hasPrefix("Device '") && first.hasSuffix("' not found") { return first }
        if lines.contains(where: { $0.hasPrefix("Try \"help") && $0.hasSuffix("for more information") }) {
            return first
        }
        return nil
    }

    /// Throws ``HMPError`` when `output` reports a failure of `command`; returns `output` otherwise.
    @discardableResult
    public static func check(_ output: String, command: String) throws(HMPError) -> String {
        if let message = failure(in: output) { throw HMPError(command: command, message: message, output: output) }
        return output
    }
}
