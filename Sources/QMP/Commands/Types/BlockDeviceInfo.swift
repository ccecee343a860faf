/// A block node: an image and how it is opened. Listed by `query-named-block-nodes` and as the `inserted`
/// medium of `query-block`.
///
/// Note QEMU's mixed spelling: most members use `_` (`backing_file_depth`, `bps_rd`), some `-` (`node-name`).
public struct BlockDeviceInfo: Codable, Sendable, Hashable {
    /// The file name the node was opened with.
    public var file: String
    /// The node name; QEMU makes up names like `#block179` for nodes created without one.
    public var nodeName: String?
    /// Whether the node is read-only.
    public var readOnly: Bool
    /// The driver, e.g. `qcow2`, `raw`, `file`.
    public var driver: String
    /// The backing file name, when there is one.
    public var backingFile: String?
    /// The length of the backing chain below this node (reported as 0 in `flat` listings).
    public var backingFileDepth: Int
    /// Whether the image is encrypted.
    public var encrypted: Bool
    /// The detect-zeroes setting.
    public var detectZeroes: DetectZeroesMode
    /// The total throughput limit in bytes per second, reads and writes together (`bps`; 0 = unlimited).
    public var bps: Int
    /// The read throughput limit in bytes per second (`bps_rd`; 0 = unlimited).
    public var bpsRead: Int
    /// The write throughput limit in bytes per second (`bps_wr`; 0 = unlimited).
    public var bpsWrite: Int
    /// The total limit in operations per second, reads and writes together (`iops`; 0 = unlimited).
    public var iops: Int
    /// The read limit in operations per second (`iops_rd`; 0 = unlimited).
    public var iopsRead: Int
    /// The write limit in operations per second (`iops_wr`; 0 = unlimited).
    public var iopsWrite: Int
    /// The total burst in bytes per second allowed above ``bps`` (`bps_max`), when set.
    public var bpsMax: Int?
    /// The read burst in bytes per second allowed above ``bpsRead`` (`bps_rd_max`), when set.
    public var bpsReadMax: Int?
    /// The write burst in bytes per second allowed above ``bpsWrite`` (`bps_wr_max`), when set.
    public var bpsWriteMax: Int?
    /// The total burst in operations per second allowed above ``iops`` (`iops_max`), when set.
    public var iopsMax: Int?
    /// The read burst in operations per second allowed above ``iopsRead`` (`iops_rd_max`), when set.
    public var iopsReadMax: Int?
    /// The write burst in operations per second allowed above ``iopsWrite`` (`iops_wr_max`), when set.
    public var iopsWriteMax: Int?
    /// How many seconds the ``bpsMax`` burst may last (`bps_max_length`).
    public var bpsMaxLength: Int?
    /// How many seconds the ``bpsReadMax`` burst may last (`bps_rd_max_length`).
    public var bpsReadMaxLength: Int?
    /// How many seconds the ``bpsWriteMax`` burst may last (`bps_wr_max_length`).
    public var bpsWriteMaxLength: Int?
    /// How many seconds the ``iopsMax`` burst may last (`iops_max_length`).
    public var iopsMaxLength: Int?
    /// How many seconds the ``iopsReadMax`` burst may last (`iops_rd_max_length`).
    public var iopsReadMaxLength: Int?
    /// How many seconds the ``iopsWriteMax`` burst may last (`iops_wr_max_length`).
    public var iopsWriteMaxLength: Int?
    /// The I/O size that counts as one operation for `iops` limits.
    public var iopsSize: Int?
    /// The throttle group name.
    public var group: String?
    /// The image itself.
    public var image: ImageInfo
    /// The cache mode.
    public var cache: BlockdevCacheInfo
    /// The write threshold in bytes (0 = none).
    public var writeThreshold: Int
    /// Dirty bitmaps on this node.
    public var dirtyBitmaps: [BlockDirtyInfo]?

    /// Creates a value from its members.
    public init(
        file: String, nodeName: String? = nil, readOnly: Bool, driver: String, backingFile: String? = nil,
        backingFileDepth: Int = 0, encrypted: Bool = false, detectZeroes: DetectZeroesMode = .off,
        bps: Int = 0, bpsRead: Int = 0, bpsWrite: Int = 0, iops: Int = 0, iopsRead: Int = 0, iopsWrite: Int = 0,
        image: ImageInfo, cache: BlockdevCacheInfo, writeThreshold: Int = 0, dirtyBitmaps: [BlockDirtyInfo]? = nil
    ) {
        self.file = file
        self.nodeName = nodeName
        self.readOnly = readOnly
        self.driver = driver
        self.backingFile = backingFile
        self.backingFileDepth = backingFileDepth
        self.encrypted = encrypted
        self.detectZeroes = detectZeroes
        self.bps = bps
        self.bpsRead = bpsRead
        self.bpsWrite = bpsWrite
        self.iops = iops
        self.iopsRead = iopsRead
        self.iopsWrite = iopsWrite
        self.image = image
        self.cache = cache
        self.writeThreshold = writeThreshold
        self.dirtyBitmaps = dirtyBitmaps
    }

    enum CodingKeys: String, CodingKey {
        case file, encrypted, bps, iops, group, image, cache
        case nodeName = "node-name"
        case readOnly = "ro"
        case driver = "drv"
        case backingFile = "backing_file"
        case backingFileDepth = "backing_file_depth"
        case detectZeroes = "detect_zeroes"
        case bpsRead = "bps_rd"
        case bpsWrite = "bps_wr"
        case iopsRead = "iops_rd"
        case iopsWrite = "iops_wr"
        case bpsMax = "bps_max"
        case bpsReadMax = "bps_rd_max"
        case bpsWriteMax = "bps_wr_max"
        case iopsMax = "iops_max"
        case iopsReadMax = "iops_rd_max"
        case iopsWriteMax = "iops_wr_max"
        case bpsMaxLength = "bps_max_length"
        case bpsReadMaxLength = "bps_rd_max_length"
        case bpsWriteMaxLength = "bps_wr_max_length"
        case iopsMaxLength = "iops_max_length"
        case iopsReadMaxLength = "iops_rd_max_length"
        case iopsWriteMaxLength = "iops_wr_max_length"
        case iopsSize = "iops_size"
        case writeThreshold = "write_threshold"
        case dirtyBitmaps = "dirty-bitmaps"
    }
}

/// A node's `detect-zeroes` setting.
public struct DetectZeroesMode: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Zero writes are written like any other data (the default).
    public static let off: DetectZeroesMode = "off"
    /// Zero writes become write-zeroes requests, which the format may store without data.
    public static let on: DetectZeroesMode = "on"
    /// Zero writes become discards when the node allows discards.
    public static let unmap: DetectZeroesMode = "unmap"
}

/// A node's cache mode.
public struct BlockdevCacheInfo: Codable, Sendable, Hashable {
    /// Whether the guest sees a write-back cache.
    public var writeback: Bool
    /// Whether the host page cache is bypassed (`O_DIRECT`).
    public var direct: Bool
    /// Whether flushes to the host are ignored.
    public var noFlush: Bool

    /// Creates a value from its members.
    public init(writeback: Bool, direct: Bool, noFlush: Bool) {
        self.writeback = writeback
        self.direct = direct
        self.noFlush = noFlush
    }

    enum CodingKeys: String, CodingKey {
        case writeback, direct
        case noFlush = "no-flush"
    }
}

/// A dirty bitmap on a block node.
public struct BlockDirtyInfo: Codable, Sendable, Hashable {
    /// The bitmap's name; absent for an anonymous bitmap.
    public var name: String?
    /// Dirty bytes.
    public var count: Int
    /// Bytes per bit.
    public var granularity: Int
    /// Whether writes are currently being recorded (a disabled bitmap keeps its bits but records nothing new).
    public var recording: Bool
    /// Whether the bitmap is in use by an operation (e.g. a backup job) and can't be changed now.
    public var busy: Bool
    /// Whether the bitmap is stored in the image (qcow2) and survives closing it.
    public var persistent: Bool
    /// Present and `true` when a persistent bitmap was not saved cleanly and can no longer be trusted.
    public var inconsistent: Bool?

    /// Creates a value from its members.
    public init(
        name: String? = nil, count: Int, granularity: Int, recording: Bool, busy: Bool, persistent: Bool,
        inconsistent: Bool? = nil
    ) {
        self.name = name
        self.count = count
        self.granularity = granularity
        self.recording = recording
        self.busy = busy
        self.persistent = persistent
        self.inconsistent = inconsistent
    }
}
