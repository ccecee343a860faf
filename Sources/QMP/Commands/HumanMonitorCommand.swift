/// Runs an HMP (human monitor) command and returns its text output.
///
/// Returns the output as one string with `\r\n` line ends (empty for commands that print nothing). HMP
/// reports failures as ordinary text (`Error: ...`), so a successful reply does not mean the command worked.
public struct HumanMonitorCommand: QMPCommand, Hashable {
    public static let name = "human-monitor-command"
    public typealias Response = String

    /// The command line, e.g. `info status`.
    public var commandLine: String
    /// The CPU that commands like `info registers` look at.
    public var cpuIndex: Int?

    public init(_ commandLine: String, cpuIndex: Int? = nil) {
        self.commandLine = commandLine
        self.cpuIndex = cpuIndex
    }

    enum CodingKeys: String, CodingKey {
        case commandLine = "command-line"
        case cpuIndex = "cpu-index"
    }
}
