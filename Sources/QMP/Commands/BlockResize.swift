/// Resizes a block node's image; a guest driver that watches for it (virtio-blk) sees the new capacity.
///
/// Returns `{}`. Name the node (`nodeName`) or the block backend (`device`, the `-drive` id). Shrinking cuts off
/// data at the end, where the format allows it at all.
public struct BlockResize: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "block_resize"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The block backend name; set this or `nodeName`.
    public var device: String?
    /// The node name; set this or `device`.
    public var nodeName: String?
    /// The new size in bytes.
    public var size: Int

    /// Resizes the node with this name.
    public init(nodeName: String, size: Int) {
        self.nodeName = nodeName
        self.size = size
    }

    /// Resizes the block backend with this name (the `-drive` id).
    public init(device: String, size: Int) {
        self.device = device
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case device, size
        case nodeName = "node-name"
    }
}
