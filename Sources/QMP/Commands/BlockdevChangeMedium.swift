/// Swaps the medium of a removable drive (CD-ROM, floppy): opens the tray, removes the old medium, opens the new
/// file, inserts it and closes the tray.
///
/// Returns `{}`; QEMU sends `DEVICE_TRAY_MOVED` (``DeviceTrayMovedEvent``) open, then closed, and the guest reads
/// the new disc a second or two later. `id` is the **device** id (`-device ide-cd,id=cdrom0`), not the drive
/// id: the drive id gives `DeviceNotFound`. `device` is the drive (backend) name instead, for `-drive` setups.
/// If the guest has locked the tray, the swap fails unless `force` is set.
public struct BlockdevChangeMedium: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "blockdev-change-medium"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The block backend name (the `-drive` id); set this or `id`.
    public var device: String?
    /// The device id (`-device ...,id=`); set this or `device`.
    public var id: String?
    /// The new image.
    public var filename: String
    /// The image format, e.g. `raw`; probed when absent (and probing raw images is refused for writes).
    public var format: String?
    /// Eject even when the guest has locked the tray.
    public var force: Bool?
    /// How to open the new medium.
    public var readOnlyMode: BlockdevChangeReadOnlyMode?

    /// Changes the medium of the device with this id (`-device ide-cd,id=ID`).
    public init(
        id: String, filename: String, format: String? = nil, readOnlyMode: BlockdevChangeReadOnlyMode? = nil,
        force: Bool? = nil
    ) {
        self.id = id
        self.filename = filename
        self.format = format
        self.readOnlyMode = readOnlyMode
        self.force = force
    }

    /// Changes the medium of the block backend with this name (the `-drive` id).
    public init(
        device: String, filename: String, format: String? = nil, readOnlyMode: BlockdevChangeReadOnlyMode? = nil,
        force: Bool? = nil
    ) {
        self.device = device
        self.filename = filename
        self.format = format
        self.readOnlyMode = readOnlyMode
        self.force = force
    }

    enum CodingKeys: String, CodingKey {
        case device, id, filename, format, force
        case readOnlyMode = "read-only-mode"
    }
}
