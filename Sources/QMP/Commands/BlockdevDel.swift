/// Removes a block node that ``BlockdevAdd`` created.
///
/// Returns `{}`. Fails while the node is in use (attached to a device, or below another node); remove the
/// device first and wait for its `DEVICE_DELETED`.
public struct BlockdevDel: QMPCommand, Hashable {
    public static let name = "blockdev-del"
    public typealias Response = QMPEmpty

    public var nodeName: String

    public init(nodeName: String) {
        self.nodeName = nodeName
    }

    enum CodingKeys: String, CodingKey {
        case nodeName = "node-name"
    }
}
