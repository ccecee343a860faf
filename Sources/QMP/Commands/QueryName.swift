/// Asks for the guest name given with `-name`.
///
/// Returns ``NameInfo``, whose `name` is `nil` when QEMU runs without `-name` (the reply is then `{}`).
public struct QueryName: QMPCommand, Hashable {
    public static let name = "query-name"
    public typealias Response = NameInfo

    public init() {}
}
