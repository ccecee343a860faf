/// One entry of `info block`: a drive (or, for `-blockdev` disks, the node a device uses), its medium and its state.
///
/// The header line names the entry: `virtio0 (#block180): FILE (qcow2)` for a `-drive` (drive name, then its node
/// in parentheses), `bd0: FILE (qcow2)` for a `-blockdev` disk (the node name alone: such drives have no name),
/// `ide1-cd1: [not inserted]` for an empty drive, and `cdx: [not inserted]` for a drive-less device (its qdev id).
/// Detail lines follow, indented; unknown ones are skipped, missing ones leave their fields `nil`.
/// `info block -n` lists nodes in the same layout and parses the same way; `info block -v` adds `Images:`
/// sections, which are skipped.
///
/// ```swift
/// for drive in try HMPBlockDevice.parse(text) where drive.removable {
///     print(drive.name, drive.inserted ? drive.file ?? "?" : "empty", drive.trayOpen == true ? "open" : "closed")
/// }
/// ```
public struct HMPBlockDevice: Sendable, Hashable, Encodable {
    /// The name the header line starts with: a drive name, a node name or a qdev id (see the type's notes).
    public var name: String
    /// The drive (BlockBackend) name, when the header shows one: `virtio0`, `ide1-cd0`, an `-drive id=`.
    public var device: String?
    /// The top node of the medium: `#block180` in `virtio0 (#block180)`, or the header name of a `-blockdev` disk.
    public var nodeName: String?
    /// The device the drive is attached to: its qdev id (`cdrom0`) or QOM path; `nil` when attached to none.
    public var attachedTo: String?
    /// `false` for `[not inserted]` (an empty CD drive, an ejected medium).
    public var inserted: Bool
    /// The image file name (for some drivers a `json:{...}` description).
    public var file: String?
    /// The format driver: `qcow2`, `raw`, `luks`, `file` (protocol nodes of `info block -n`), ...
    public var format: String?
    /// Whether the medium is read-only; `nil` when nothing is inserted.
    public var readOnly: Bool?
    /// Whether the image is encrypted; `nil` when nothing is inserted.
    public var encrypted: Bool?
    /// Whether QEMU showed a `Removable device:` line (CD drives, and drives attached to no device).
    public var removable: Bool
    /// Whether the guest has locked the tray (a mounted CD); `nil` for non-removable drives.
    public var locked: Bool?
    /// Whether the tray is open (after `eject`); `nil` for non-removable drives.
    public var trayOpen: Bool?
    /// The I/O status when it is not `ok`: `failed`, `nospace`.
    public var ioStatus: String?
    /// The cache mode; `nil` when nothing is inserted.
    public var cache: HMPBlockCacheMode?
    /// The backing file of the top image.
    public var backingFile: String?
    /// How many backing images are below the top one.
    public var backingChainDepth: Int?
    /// `on` or `unmap` when zero detection is on.
    public var detectZeroes: String?
    /// The I/O throttling limits (`bps=...  iops=... group=...`) when any is set.
    public var throttling: HMPParameters?

    /// An entry with the given fields; parsers fill it from `info block`, tests build one to compare with.
    public init(
        name: String, device: String? = nil, nodeName: String? = nil, attachedTo: String? = nil,
        inserted: Bool = true, file: String? = nil, format: String? = nil, readOnly: Bool? = nil,
        encrypted: Bool? = nil, removable: Bool = false, locked: Bool? = nil, trayOpen: Bool? = nil,
        ioStatus: String? = nil, cache: HMPBlockCacheMode? = nil, backingFile: String? = nil,
        backingChainDepth: Int? = nil, detectZeroes: String? = nil, throttling: HMPParameters? = nil
    ) {
        self.name = name
        self.device = device
        self.nodeName = nodeName
        self.attachedTo = attachedTo
        self.inserted = inserted
        self.file = file
        self.format = format
        self.readOnly = readOnly
        self.encrypted = encrypted
        self.removable = removable
        self.locked = locked
        self.trayOpen = trayOpen
        self.ioStatus = ioStatus
        self.cache = cache
        self.backingFile = backingFile
        self.backingChainDepth = backingChainDepth
        self.detectZeroes = detectZeroes
        self.throttling = throttling
    }
}

/// A drive's cache mode as `info block` prints it (`writeback, direct`), named as in QMP's `BlockdevCacheInfo`.
public struct HMPBlockCacheMode: Sendable, Hashable, Encodable {
    /// `writeback` (else `writethrough`).
    public var writeback: Bool
    /// `, direct`: the host page cache is bypassed (`cache=none`, `cache=directsync`).
    public var direct: Bool
    /// `, ignore flushes`: flush requests are ignored (`cache=unsafe`).
    public var noFlush: Bool

    /// A cache mode; `writeback: false` is `writethrough`.
    public init(writeback: Bool, direct: Bool = false, noFlush: Bool = false) {
        self.writeback = writeback
        self.direct = direct
        self.noFlush = noFlush
    }

    /// Parses `writeback`, `writethrough, direct`, `writeback, ignore flushes`; `nil` without a known first word.
    init?(parsing text: Substring) {
        let words = text.split(separator: ",").map { InfoText.trimmed($0) }
        guard let first = words.first, first == "writeback" || first == "writethrough" else { return nil }
        self.init(writeback: first == "writeback", direct: words.contains("direct"),
                  noFlush: words.contains("ignore flushes"))
    }

    enum CodingKeys: String, CodingKey {
        case writeback, direct
        case noFlush = "no-flush"
    }
}
