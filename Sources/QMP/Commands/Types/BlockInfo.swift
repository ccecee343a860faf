/// One block backend (a drive as the guest's device sees it), as `query-block` lists it.
public struct BlockInfo: Codable, Sendable, Hashable {
    /// The backend name: the `-drive` id; empty for backends created with `-blockdev` + `-device`.
    public var device: String
    /// The attached device's id or QOM path (what `blockdev-change-medium id=` and friends take).
    public var qdev: String?
    /// Always `unknown` in practice (kept by QEMU for compatibility).
    public var type: String
    /// Whether the medium can be removed (CD-ROM, floppy).
    public var removable: Bool
    /// Whether the guest has locked the tray.
    public var locked: Bool
    /// The medium, or `nil` when the drive is empty.
    public var inserted: BlockDeviceInfo?
    /// Whether the tray is open (removable media only).
    public var trayOpen: Bool?
    /// The I/O status, when error handling is set to report it.
    public var ioStatus: BlockDeviceIOStatus?

    /// Creates a value from its members.
    public init(
        device: String, qdev: String? = nil, type: String = "unknown", removable: Bool, locked: Bool,
        inserted: BlockDeviceInfo? = nil, trayOpen: Bool? = nil, ioStatus: BlockDeviceIOStatus? = nil
    ) {
        self.device = device
        self.qdev = qdev
        self.type = type
        self.removable = removable
        self.locked = locked
        self.inserted = inserted
        self.trayOpen = trayOpen
        self.ioStatus = ioStatus
    }

    enum CodingKeys: String, CodingKey {
        case device, qdev, type, removable, locked, inserted
        case trayOpen = "tray_open"
        case ioStatus = "io-status"
    }
}

/// A block device's I/O status.
public struct BlockDeviceIOStatus: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// No I/O error so far (`ok`).
    public static let ok: BlockDeviceIOStatus = "ok"
    /// The last I/O error was not "no space left" (`failed`).
    public static let failed: BlockDeviceIOStatus = "failed"
    /// The last error was "no space left" (e.g. a thin-provisioned image filled its disk).
    public static let noSpace: BlockDeviceIOStatus = "nospace"
}
