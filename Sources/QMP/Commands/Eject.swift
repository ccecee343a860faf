/// Opens a removable drive's tray and removes its medium.
///
/// Returns `{}`; QEMU sends `DEVICE_TRAY_MOVED` (``DeviceTrayMovedEvent``) with `tray-open: true`. When the
/// guest has locked the tray and `force` is not set, QEMU asks the guest to open it and the command fails; try
/// again once the tray is open. `id` is the device id (`-device ide-cd,id=cdrom0`); `device` is the drive
/// (backend) name. Ejecting an empty drive is not an error.
public struct Eject: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "eject"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The block backend name (the `-drive` id); set this or `id`.
    public var device: String?
    /// The device id; set this or `device`.
    public var id: String?
    /// Eject even when the guest has locked the tray.
    public var force: Bool?

    /// Ejects the medium of the device with this id.
    public init(id: String, force: Bool? = nil) {
        self.id = id
        self.force = force
    }

    /// Ejects the medium of the block backend with this name.
    public init(device: String, force: Bool? = nil) {
        self.device = device
        self.force = force
    }
}
