/// Asks for the guest name given with `-name`.
///
/// Returns ``NameInfo``, whose `name` is `nil` when QEMU runs without `-name` (the reply is then `{}`).
public struct QueryName: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-name"
    /// The reply's type.
    public typealias Response = NameInfo

    /// The command (it takes no arguments).
    public init() {}
}
