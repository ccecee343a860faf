/// Asks for a device to be removed.
///
/// Returns `{}` **at once**: the removal is only done when `DEVICE_DELETED` (``DeviceDeletedEvent``) arrives
/// for the id, which needs the guest's cooperation for PCI devices (never while the guest is paused, and
/// possibly never for a guest without hot-plug support). Wait for the event before reusing the id or deleting
/// the backend. Unplugging right after plugging can fail while the guest is still bringing the slot up.
public struct DeviceDel: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "device_del"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The device id, or its QOM path.
    public var id: String

    /// Creates a value from its members.
    public init(id: String) {
        self.id = id
    }
}
