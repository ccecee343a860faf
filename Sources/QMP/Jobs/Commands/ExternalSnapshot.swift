/// `blockdev-snapshot-sync`: put a new overlay image on top of a device's image (an external snapshot); QEMU
/// creates the overlay file. From then on the guest writes into the overlay and the old image stays as it was.
/// Returns `{}` at once (not a job).
public struct BlockdevSnapshotSync: QMPCommand, Hashable {
    /// The QMP command name, `blockdev-snapshot-sync`.
    public static let name = "blockdev-snapshot-sync"
    /// The command answers `{}` once the overlay is in place.
    public typealias Response = QMPEmpty

    /// The device or node to snapshot (`node-name` is sent when ``byNodeName`` is set).
    public var device: String
    /// Whether ``device`` is a node name (sent as `node-name`) rather than a device name (sent as `device`).
    public var byNodeName: Bool
    /// The overlay file to create.
    public var snapshotFile: String
    /// The overlay's node name.
    public var snapshotNodeName: String?
    /// The overlay's format (`qcow2` when `nil`).
    public var format: String?

    /// Describes an external snapshot of `device` into a new overlay file.
    /// - Parameters:
    ///   - device: The device or node to snapshot.
    ///   - byNodeName: Whether `device` is a node name.
    ///   - snapshotFile: The overlay file QEMU creates.
    ///   - snapshotNodeName: The node name to give the overlay.
    ///   - format: The overlay's format; QEMU uses `qcow2` when `nil`.
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
    /// The QMP command name, `blockdev-snapshot`.
    public static let name = "blockdev-snapshot"
    /// The command answers `{}` once the overlay is in place.
    public typealias Response = QMPEmpty

    /// The node (or device) that becomes the overlay's backing; the guest's writes go to the overlay from then on.
    public var node: String
    /// The node name of the overlay, already added with `blockdev-add` and without a backing of its own.
    public var overlay: String

    /// Describes putting `overlay` on top of `node`.
    /// - Parameters:
    ///   - node: The node to snapshot.
    ///   - overlay: The node name of the existing overlay.
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
    /// The QMP command name, `block-dirty-bitmap-add`.
    public static let name = "block-dirty-bitmap-add"
    /// The command answers `{}`; the bitmap records from then on.
    public typealias Response = QMPEmpty

    /// The node (or device) whose writes the bitmap tracks.
    public var node: String
    /// The bitmap's name (`name` on the wire), unique on its node.
    public var bitmapName: String
    /// Kept in the qcow2 image across restarts.
    public var persistent: Bool?

    /// Describes a new bitmap `name` on `node`.
    /// - Parameters:
    ///   - node: The node to track.
    ///   - name: The bitmap's name.
    ///   - persistent: Whether to store the bitmap in the qcow2 image; QEMU's default is `false`.
    public init(node: String, name: String, persistent: Bool? = nil) {
        self.node = node
        self.bitmapName = name
        self.persistent = persistent
    }

    public func encode(to encoder: any Encoder) throws {
        try TransactionAction.blockDirtyBitmapAdd(self).data.encode(to: encoder)
    }
}
