/// Lists the commands this monitor accepts.
///
/// Returns their names only; use ``QueryQMPSchema`` for arguments and types.
public struct QueryCommands: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-commands"
    /// The reply's type.
    public typealias Response = [CommandInfo]

    /// The command (it takes no arguments).
    public init() {}
}
