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
    /// Throttling limits, in bytes and operations per second (0 = unlimited).
    public var bps: Int
    public var bpsRead: Int
    public var bpsWrite: Int
    public var iops: Int
    public var iopsRead: Int
    public var iopsWrite: Int
    /// Burst limits and their lengths, when set.
    public var bpsMax: Int?
    public var bpsReadMax: Int?
    public var bpsWriteMax: Int?
    public var iopsMax: Int?
    public var iopsReadMax: Int?
    public var iopsWriteMax: Int?
    public var bpsMaxLength: Int?
    public var bpsReadMaxLength: Int?
    public var bpsWriteMaxLength: Int?
    public var iopsMaxLength: Int?
    public var iopsReadMaxLength: Int?
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

    public static let off: DetectZeroesMode = "off"
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
    public var name: String?
    /// Dirty bytes.
    public var count: Int
    /// Bytes per bit.
    public var granularity: Int
    public var recording: Bool
    public var busy: Bool
    public var persistent: Bool
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
