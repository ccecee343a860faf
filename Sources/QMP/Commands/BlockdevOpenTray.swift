/// Opens a removable drive's tray, leaving the medium in the drive.
///
/// Returns `{}`; QEMU sends `DEVICE_TRAY_MOVED` (``DeviceTrayMovedEvent``) with `tray-open: true` (none when it
/// was open already). When the guest has locked the tray and `force` is not set, QEMU only asks the guest to
/// open it and still returns `{}`: the event comes if and when the guest does. `id` is the device id; `device`
/// is the drive (backend) name.
public struct BlockdevOpenTray: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "blockdev-open-tray"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The block backend name; set this or `id`.
    public var device: String?
    /// The device id; set this or `device`.
    public var id: String?
    /// Open the tray even when the guest has locked it.
    public var force: Bool?

    /// Opens the tray of the device with this id.
    public init(id: String, force: Bool? = nil) {
        self.id = id
        self.force = force
    }

    /// Opens the tray of the block backend with this name.
    public init(device: String, force: Bool? = nil) {
        self.device = device
        self.force = force
    }
}
