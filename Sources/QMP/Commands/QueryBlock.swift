/// Lists the block backends: the drives attached to devices, with their media.
///
/// Returns one ``BlockInfo`` per backend; an empty drive has no `inserted`. Nodes added with `blockdev-add` but
/// not attached to a device are not listed (see ``QueryNamedBlockNodes``).
public struct QueryBlock: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-block"
    /// The reply's type.
    public typealias Response = [BlockInfo]

    /// The command (it takes no arguments).
    public init() {}
}
