import QMPWire

/// An image file as the block layer sees it.
public struct ImageInfo: Codable, Sendable, Hashable {
    /// The file name of this layer, as QEMU opened it (for a node built from options, a `json:{...}` pseudo file name).
    public var filename: String
    /// The format of this layer, e.g. `qcow2`, `raw`, `file` (for the protocol node).
    public var format: String
    /// Whether the image was not closed cleanly.
    public var dirtyFlag: Bool?
    /// Bytes used on the host.
    public var actualSize: Int?
    /// The size the guest sees, in bytes.
    public var virtualSize: Int
    /// The cluster size in bytes, for formats that allocate in clusters (qcow2: 65536 by default).
    public var clusterSize: Int?
    /// Whether the image's data is encrypted, when the format says.
    public var encrypted: Bool?
    /// Whether the image's data is compressed, when the format says.
    public var compressed: Bool?
    /// The backing file name as written in the image.
    public var backingFilename: String?
    /// The backing file name resolved to a full path.
    public var fullBackingFilename: String?
    /// The backing file's format as written in the image (`backing-filename-format`), when recorded.
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
    /// The format the details are for: `qcow2`, `vmdk`, `luks`, `rbd`, `file`, ...
    public var type: String
    /// The format's details as QEMU sends them, undecoded; absent when the format has none.
    public var data: JSON?

    /// Creates a value from its members.
    public init(type: String, data: JSON? = nil) {
        self.type = type
        self.data = data
    }
}

/// An internal snapshot of an image.
public struct SnapshotInfo: Codable, Sendable, Hashable {
    /// The snapshot's numeric id, as a string (`"1"`, `"2"`, ...).
    public var id: String
    /// The snapshot's name (its tag).
    public var name: String
    /// Size of the saved VM state in bytes (0 for disk-only snapshots).
    public var vmStateSize: Int
    /// When the snapshot was taken: whole seconds since the Unix epoch (`date-sec`).
    public var dateSeconds: Int
    /// The nanoseconds part of the time it was taken (`date-nsec`).
    public var dateNanoseconds: Int
    /// Guest clock at the time of the snapshot.
    public var vmClockSeconds: Int
    /// The nanoseconds part of the guest clock at the snapshot (`vm-clock-nsec`).
    public var vmClockNanoseconds: Int
    /// The instruction count at the snapshot; present only when record/replay was on (QEMU ≥ 5.2).
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
