/// Puts a block node into an empty drive whose tray is open; close it with ``BlockdevCloseTray``.
///
/// Returns `{}`. The node must exist (``BlockdevAdd``) and not be attached elsewhere. `id` is the device id.
public struct BlockdevInsertMedium: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "blockdev-insert-medium"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The device id.
    public var id: String
    /// The node to insert.
    public var nodeName: String

    /// Creates a value from its members.
    public init(id: String, nodeName: String) {
        self.id = id
        self.nodeName = nodeName
    }

    enum CodingKeys: String, CodingKey {
        case id
        case nodeName = "node-name"
    }
}
