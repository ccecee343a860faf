/// Removes a network backend.
///
/// Returns `{}`. A NIC still attached keeps running with no backend (its link is effectively down); remove the
/// NIC first with ``DeviceDel``.
public struct NetdevDel: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "netdev_del"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The `id` the backend was created with (`netdev_add` or `-netdev`).
    public var id: String

    /// Creates a value from its members.
    public init(id: String) {
        self.id = id
    }
}
