/// Closes a removable drive's tray.
///
/// Returns `{}`; QEMU sends `DEVICE_TRAY_MOVED` (``DeviceTrayMovedEvent``) with `tray-open: false`. `id` is the
/// device id; `device` is the drive (backend) name.
public struct BlockdevCloseTray: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "blockdev-close-tray"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The block backend name; set this or `id`.
    public var device: String?
    /// The device id; set this or `device`.
    public var id: String?

    /// Closes the tray of the device with this id.
    public init(id: String) {
        self.id = id
    }

    /// Closes the tray of the block backend with this name.
    public init(device: String) {
        self.device = device
    }
}
