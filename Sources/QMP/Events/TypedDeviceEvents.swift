// Typed events about devices: removal, trays, the balloon, ACPI hot-plug acknowledgements, NICs.

/// `DEVICE_DELETED`: a device is gone; this, not the `device_del` reply, says an unplug is done.
///
/// Sent for the device itself and for some of its parts (a virtio PCI device also sends one for
/// `/machine/peripheral/ID/virtio-backend`, with no `device`); match on `device`.
public struct DeviceDeletedEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "DEVICE_DELETED"

    /// The device id; absent for devices (and parts) that have none.
    public var device: String?
    /// The QOM path, e.g. `/machine/peripheral/vd1`.
    public var path: String

    /// Creates a value from its members.
    public init(device: String? = nil, path: String) {
        self.device = device
        self.path = path
    }
}

/// `DEVICE_TRAY_MOVED`: a removable drive's tray opened or closed (by the guest or by a monitor command).
public struct DeviceTrayMovedEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "DEVICE_TRAY_MOVED"

    /// The block backend name (the `-drive` id); empty for drives set up with `-blockdev`.
    public var device: String
    /// The device id or QOM path (what `blockdev-change-medium id=` takes).
    public var id: String
    /// Whether the tray is now open.
    public var trayOpen: Bool

    /// Creates a value from its members.
    public init(device: String, id: String, trayOpen: Bool) {
        self.device = device
        self.id = id
        self.trayOpen = trayOpen
    }

    enum CodingKeys: String, CodingKey {
        case device, id
        case trayOpen = "tray-open"
    }
}

/// `BALLOON_CHANGE`: the guest's balloon driver changed the guest's memory size.
public struct BalloonChangeEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "BALLOON_CHANGE"

    /// The guest's memory size now, in bytes.
    public var actual: Int

    /// Creates a value from its members.
    public init(actual: Int) {
        self.actual = actual
    }
}

/// `ACPI_DEVICE_OST`: the guest's ACPI code reported the outcome of a hot-plug or unplug (`_OST`).
///
/// After a CPU or DIMM `device_add`, this is the sign the guest has taken the device (`status` 0).
public struct ACPIDeviceOSTEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "ACPI_DEVICE_OST"

    /// The slot, the device and the `_OST` status the guest reported.
    public var info: ACPIOSTInfo

    /// Creates a value from its members.
    public init(info: ACPIOSTInfo) {
        self.info = info
    }
}

/// One `_OST` report.
public struct ACPIOSTInfo: Codable, Sendable, Hashable {
    /// The device id, when the device has one.
    public var device: String?
    /// The slot, as a string (e.g. `"1"`).
    public var slot: String
    /// `CPU` or `DIMM`.
    public var slotType: ACPISlotType
    /// The ACPI event that was handled (1 = insertion request, 3 = eject request, ...).
    public var source: Int
    /// The outcome: 0 = success; other values are ACPI `_OST` failure codes.
    public var status: Int

    /// Creates a value from its members.
    public init(device: String? = nil, slot: String, slotType: ACPISlotType, source: Int, status: Int) {
        self.device = device
        self.slot = slot
        self.slotType = slotType
        self.source = source
        self.status = status
    }

    /// Whether the guest reported success.
    public var succeeded: Bool { status == 0 }

    enum CodingKeys: String, CodingKey {
        case device, slot, source, status
        case slotType = "slot-type"
    }
}

/// `NIC_RX_FILTER_CHANGED`: the guest changed a NIC's receive filter (MAC address, multicast list ...).
///
/// QEMU sends it once and then waits until `query-rx-filter` is run for that NIC before sending it again.
public struct NICRxFilterChangedEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "NIC_RX_FILTER_CHANGED"

    /// The NIC's id, when it has one.
    public var name: String?
    /// The NIC's QOM path.
    public var path: String

    /// Creates a value from its members.
    public init(name: String? = nil, path: String) {
        self.name = name
        self.path = path
    }
}
