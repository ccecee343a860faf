/// `blockdev-snapshot-sync`: put a new overlay image on top of a device's image (an external snapshot); QEMU
/// creates the overlay file. From then on the guest writes into the overlay and the old image stays as it was.
/// Returns `{}` at once (not a job).
public struct BlockdevSnapshotSync: QMPCommand, Hashable {
    public static let name = "blockdev-snapshot-sync"
    public typealias Response = QMPEmpty

    /// The device or node to snapshot (`node-name` is sent when ``byNodeName`` is set).
    public var device: String
    public var byNodeName: Bool
    /// The overlay file to create.
    public var snapshotFile: String
    /// The overlay's node name.
    public var snapshotNodeName: String?
    /// The overlay's format (`qcow2` when `nil`).
    public var format: String?

    public init(device: String, byNodeName: Bool = false, snapshotFile: String, snapshotNodeName: String? = nil, format: String? = nil) {
        self.device = device
        self.byNodeName = byNodeName
        self.snapshotFile = snapshotFile
        self.snapshotNodeName = snapshotNodeName
        self.format = format
    }

    public func encode(to encoder: any Encoder) throws {
        try TransactionAction.blockdevSnapshotSync(self).data.encode(to: encoder)
    }
}

/// `blockdev-snapshot`: put an existing overlay node (added with `blockdev-add` and no backing) on top of
/// `node`. Returns `{}` at once (not a job).
public struct BlockdevSnapshot: QMPCommand, Hashable {
    public static let name = "blockdev-snapshot"
    public typealias Response = QMPEmpty

    public var node: String
    public var overlay: String

    public init(node: String, overlay: String) {
        self.node = node
        self.overlay = overlay
    }

    public func encode(to encoder: any Encoder) throws {
        try TransactionAction.blockdevSnapshot(self).data.encode(to: encoder)
    }
}

/// `block-dirty-bitmap-add`: start tracking the writes to `node` in the bitmap `name` (for incremental backups).
public struct BlockDirtyBitmapAdd: QMPCommand, Hashable {
    public static let name = "block-dirty-bitmap-add"
    public typealias Response = QMPEmpty

    public var node: String
    public var bitmapName: String
    /// Kept in the qcow2 image across restarts.
    public var persistent: Bool?

    public init(node: String, name: String, persistent: Bool? = nil) {
        self.node = node
        self.bitmapName = name
        self.persistent = persistent
    }

    public func encode(to encoder: any Encoder) throws {
        try TransactionAction.blockDirtyBitmapAdd(self).data.encode(to: encoder)
    }
}
