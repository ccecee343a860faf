import QMPWire

/// An image file as the block layer sees it.
public struct ImageInfo: Codable, Sendable, Hashable {
    public var filename: String
    /// The format of this layer, e.g. `qcow2`, `raw`, `file` (for the protocol node).
    public var format: String
    /// Whether the image was not closed cleanly.
    public var dirtyFlag: Bool?
    /// Bytes used on the host.
    public var actualSize: Int?
    /// The size the guest sees, in bytes.
    public var virtualSize: Int
    public var clusterSize: Int?
    public var encrypted: Bool?
    public var compressed: Bool?
    /// The backing file name as written in the image.
    public var backingFilename: String?
    /// The backing file name resolved to a full path.
    public var fullBackingFilename: String?
    public var backingFilenameFormat: String?
    /// Internal snapshots.
    public var snapshots: [SnapshotInfo]?
    /// Format-specific details, as `{type, data}` (e.g. qcow2's `compat`, `refcount-bits`).
    public var formatSpecific: ImageInfoSpecific?
    private var backingImageBox: Indirect<ImageInfo>?

    /// The backing image, listed in full (absent in `flat` listings of `query-named-block-nodes`).
    public var backingImage: ImageInfo? {
        get { backingImageBox?.wrapped }
        set { backingImageBox = newValue.map(Indirect.init) }
    }

    /// Creates a value from its members.
    public init(
        filename: String, format: String, dirtyFlag: Bool? = nil, actualSize: Int? = nil, virtualSize: Int,
        clusterSize: Int? = nil, encrypted: Bool? = nil, compressed: Bool? = nil, backingFilename: String? = nil,
        fullBackingFilename: String? = nil, backingFilenameFormat: String? = nil, snapshots: [SnapshotInfo]? = nil,
        formatSpecific: ImageInfoSpecific? = nil, backingImage: ImageInfo? = nil
    ) {
        self.filename = filename
        self.format = format
        self.dirtyFlag = dirtyFlag
        self.actualSize = actualSize
        self.virtualSize = virtualSize
        self.clusterSize = clusterSize
        self.encrypted = encrypted
        self.compressed = compressed
        self.backingFilename = backingFilename
        self.fullBackingFilename = fullBackingFilename
        self.backingFilenameFormat = backingFilenameFormat
        self.snapshots = snapshots
        self.formatSpecific = formatSpecific
        self.backingImageBox = backingImage.map(Indirect.init)
    }

    enum CodingKeys: String, CodingKey {
        case filename, format, encrypted, compressed, snapshots
        case dirtyFlag = "dirty-flag"
        case actualSize = "actual-size"
        case virtualSize = "virtual-size"
        case clusterSize = "cluster-size"
        case backingFilename = "backing-filename"
        case fullBackingFilename = "full-backing-filename"
        case backingFilenameFormat = "backing-filename-format"
        case formatSpecific = "format-specific"
        case backingImageBox = "backing-image"
    }
}

/// Format-specific image details: a `type` (`qcow2`, `vmdk`, `luks`, `rbd`, ...) and its `data`, kept as JSON.
public struct ImageInfoSpecific: Codable, Sendable, Hashable {
    public var type: String
    public var data: JSON?

    /// Creates a value from its members.
    public init(type: String, data: JSON? = nil) {
        self.type = type
        self.data = data
    }
}

/// An internal snapshot of an image.
public struct SnapshotInfo: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    /// Size of the saved VM state in bytes (0 for disk-only snapshots).
    public var vmStateSize: Int
    public var dateSeconds: Int
    public var dateNanoseconds: Int
    /// Guest clock at the time of the snapshot.
    public var vmClockSeconds: Int
    public var vmClockNanoseconds: Int
    public var icount: Int?

    /// Creates a value from its members.
    public init(
        id: String, name: String, vmStateSize: Int, dateSeconds: Int, dateNanoseconds: Int, vmClockSeconds: Int,
        vmClockNanoseconds: Int, icount: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.vmStateSize = vmStateSize
        self.dateSeconds = dateSeconds
        self.dateNanoseconds = dateNanoseconds
        self.vmClockSeconds = vmClockSeconds
        self.vmClockNanoseconds = vmClockNanoseconds
        self.icount = icount
    }

    enum CodingKeys: String, CodingKey {
        case id, name, icount
        case vmStateSize = "vm-state-size"
        case dateSeconds = "date-sec"
        case dateNanoseconds = "date-nsec"
        case vmClockSeconds = "vm-clock-sec"
        case vmClockNanoseconds = "vm-clock-nsec"
    }
}
