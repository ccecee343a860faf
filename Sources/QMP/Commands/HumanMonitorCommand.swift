/// Runs an HMP (human monitor) command and returns its text output.
///
/// Returns the output as one string with `\r\n` line ends (empty for commands that print nothing). HMP
/// reports failures as ordinary text (`Error: ...`), so a successful reply does not mean the command worked.
public struct HumanMonitorCommand: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "human-monitor-command"
    /// The reply's type.
    public typealias Response = String

    /// The command line, e.g. `info status`.
    public var commandLine: String
    /// The CPU that commands like `info registers` look at.
    public var cpuIndex: Int?

    /// Creates a value from its members.
    public init(_ commandLine: String, cpuIndex: Int? = nil) {
        self.commandLine = commandLine
        self.cpuIndex = cpuIndex
    }

    enum CodingKeys: String, CodingKey {
        case commandLine = "command-line"
        case cpuIndex = "cpu-index"
    }
}
