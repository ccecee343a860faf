/// One PCI bus and its devices, as `query-pci` lists it.
public struct PCIInfo: Codable, Sendable, Hashable {
    /// The bus number.
    public var bus: Int
    /// The functions on this bus, in slot and function order.
    public var devices: [PCIDeviceInfo]

    /// Creates a value from its members.
    public init(bus: Int, devices: [PCIDeviceInfo]) {
        self.bus = bus
        self.devices = devices
    }
}

/// A PCI function.
public struct PCIDeviceInfo: Codable, Sendable, Hashable {
    /// The number of the bus the function sits on.
    public var bus: Int
    /// The slot (device number, 0–31) on that bus.
    public var slot: Int
    /// The function number within the slot (0–7).
    public var function: Int
    /// The function's class code (`class_info`).
    public var classInfo: PCIDeviceClass
    /// The vendor, device and subsystem ids read from its configuration space.
    public var id: PCIDeviceID
    /// The legacy interrupt line, when the function uses one and the firmware assigned it.
    public var irq: Int?
    /// The interrupt pin (0 = none, 1 = INTA ...); `nil` before QEMU 5.1, which did not say.
    public var irqPin: Int?
    /// The device's `id`; empty for devices created without one (board devices).
    public var qdevID: String
    /// The bus behind a bridge.
    public var pciBridge: PCIBridgeInfo?
    /// The BARs.
    public var regions: [PCIMemoryRegion]

    /// Creates a value from its members.
    public init(
        bus: Int, slot: Int, function: Int, classInfo: PCIDeviceClass, id: PCIDeviceID, irq: Int? = nil,
        irqPin: Int? = nil, qdevID: String = "", pciBridge: PCIBridgeInfo? = nil, regions: [PCIMemoryRegion] = []
    ) {
        self.bus = bus
        self.slot = slot
        self.function = function
        self.classInfo = classInfo
        self.id = id
        self.irq = irq
        self.irqPin = irqPin
        self.qdevID = qdevID
        self.pciBridge = pciBridge
        self.regions = regions
    }

    enum CodingKeys: String, CodingKey {
        case bus, slot, function, id, irq, regions
        case classInfo = "class_info"
        case irqPin = "irq_pin"
        case qdevID = "qdev_id"
        case pciBridge = "pci_bridge"
    }
}

/// A PCI class code and, when QEMU knows it, its name.
public struct PCIDeviceClass: Codable, Sendable, Hashable {
    /// The class and subclass, e.g. `0x0101` (257) for an IDE controller.
    public var `class`: Int
    /// A description such as `IDE controller`; absent for classes QEMU has no name for.
    public var desc: String?

    /// Creates a value from its members.
    public init(class: Int, desc: String? = nil) {
        self.class = `class`
        self.desc = desc
    }
}

/// PCI vendor, device and subsystem ids.
public struct PCIDeviceID: Codable, Sendable, Hashable {
    /// The vendor id, e.g. `0x1af4` (6900) for Red Hat's virtio devices.
    public var vendor: Int
    /// The device id, assigned by the vendor.
    public var device: Int
    /// The subsystem vendor id (`subsystem-vendor`); absent for bridges and before QEMU 3.1.
    public var subsystemVendor: Int?
    /// The subsystem id; absent for bridges and before QEMU 3.1.
    public var subsystem: Int?

    /// Creates a value from its members.
    public init(vendor: Int, device: Int, subsystemVendor: Int? = nil, subsystem: Int? = nil) {
        self.vendor = vendor
        self.device = device
        self.subsystemVendor = subsystemVendor
        self.subsystem = subsystem
    }

    enum CodingKeys: String, CodingKey {
        case vendor, device, subsystem
        case subsystemVendor = "subsystem-vendor"
    }
}

/// A BAR.
public struct PCIMemoryRegion: Codable, Sendable, Hashable {
    /// The BAR number (6 is the expansion ROM).
    public var bar: Int
    /// `io` or `memory`.
    public var type: String
    /// The guest address; **-1 while the BAR is not mapped** (before the firmware ran, or a ROM BAR left off).
    public var address: Int
    /// The size in bytes.
    public var size: Int
    /// For a memory BAR, whether it is prefetchable; absent for an I/O BAR.
    public var prefetch: Bool?
    /// For a memory BAR, whether it is 64-bit wide (`mem_type_64`); absent for an I/O BAR.
    public var memType64: Bool?

    /// Creates a value from its members.
    public init(bar: Int, type: String, address: Int, size: Int, prefetch: Bool? = nil, memType64: Bool? = nil) {
        self.bar = bar
        self.type = type
        self.address = address
        self.size = size
        self.prefetch = prefetch
        self.memType64 = memType64
    }

    /// Whether the BAR is mapped at an address.
    public var isMapped: Bool { address != -1 }

    enum CodingKeys: String, CodingKey {
        case bar, type, address, size, prefetch
        case memType64 = "mem_type_64"
    }
}

/// The bus behind a PCI bridge.
public struct PCIBridgeInfo: Codable, Sendable, Hashable {
    /// The bridge's bus numbers and the address windows it forwards.
    public var bus: PCIBusInfo
    /// The devices on the secondary bus.
    public var devices: [PCIDeviceInfo]?

    /// Creates a value from its members.
    public init(bus: PCIBusInfo, devices: [PCIDeviceInfo]? = nil) {
        self.bus = bus
        self.devices = devices
    }
}

/// Bus numbers and windows of a PCI bridge.
public struct PCIBusInfo: Codable, Sendable, Hashable {
    /// The number of the bus the bridge itself sits on (its primary bus).
    public var number: Int
    /// The number of the bus directly behind the bridge.
    public var secondary: Int
    /// The highest bus number reachable behind the bridge.
    public var subordinate: Int
    /// The I/O port window forwarded to the secondary bus (`io_range`).
    public var ioRange: PCIMemoryRange
    /// The non-prefetchable memory window forwarded to the secondary bus (`memory_range`).
    public var memoryRange: PCIMemoryRange
    /// The prefetchable memory window forwarded to the secondary bus (`prefetchable_range`).
    public var prefetchableRange: PCIMemoryRange

    /// Creates a value from its members.
    public init(
        number: Int, secondary: Int, subordinate: Int, ioRange: PCIMemoryRange, memoryRange: PCIMemoryRange,
        prefetchableRange: PCIMemoryRange
    ) {
        self.number = number
        self.secondary = secondary
        self.subordinate = subordinate
        self.ioRange = ioRange
        self.memoryRange = memoryRange
        self.prefetchableRange = prefetchableRange
    }

    enum CodingKeys: String, CodingKey {
        case number, secondary, subordinate
        case ioRange = "io_range"
        case memoryRange = "memory_range"
        case prefetchableRange = "prefetchable_range"
    }
}

/// An address window, `base` to `limit` inclusive.
public struct PCIMemoryRange: Codable, Sendable, Hashable {
    /// The first address of the window.
    public var base: Int
    /// The last address of the window (inclusive); below ``base`` when the window is closed.
    public var limit: Int

    /// Creates a value from its members.
    public init(base: Int, limit: Int) {
        self.base = base
        self.limit = limit
    }
}
