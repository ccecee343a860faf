/// Removes a block node that ``BlockdevAdd`` created.
///
/// Returns `{}`. Fails while the node is in use (attached to a device, or below another node); remove the
/// device first and wait for its `DEVICE_DELETED`.
public struct BlockdevDel: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "blockdev-del"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The node name given to `blockdev-add` (`node-name`).
    public var nodeName: String

    /// Creates a value from its members.
    public init(nodeName: String) {
        self.nodeName = nodeName
    }

    enum CodingKeys: String, CodingKey {
        case nodeName = "node-name"
    }
}
