/// Lists the commands this monitor accepts.
///
/// Returns their names only; use ``QueryQMPSchema`` for arguments and types.
public struct QueryCommands: QMPCommand, Hashable {
    public static let name = "query-commands"
    public typealias Response = [CommandInfo]

    public init() {}
}
