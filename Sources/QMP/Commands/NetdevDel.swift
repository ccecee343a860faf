/// Removes a network backend.
///
/// Returns `{}`. A NIC still attached keeps running with no backend (its link is effectively down); remove the
/// NIC first with ``DeviceDel``.
public struct NetdevDel: QMPCommand, Hashable {
    public static let name = "netdev_del"
    public typealias Response = QMPEmpty

    public var id: String

    public init(id: String) {
        self.id = id
    }
}
