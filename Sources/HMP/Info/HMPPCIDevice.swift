/// One PCI function as `info pci` prints it.
///
/// ```
///   Bus  0, device   5, function 0:
///     Ethernet controller: PCI device 1af4:1000
///       PCI subsystem 1af4:0001
///       IRQ 10, pin A
///       BAR0: I/O at 0xd200 [0xd21f].
///       BAR4: 64 bit prefetchable memory at 0xfe204000 [0xfe207fff].
///       id "nic0"
/// ```
///
/// Functions behind a bridge follow the bridge's own entry, with their bus number.
public struct HMPPCIDevice: Sendable, Hashable, Encodable {
    /// The PCI bus number (`Bus  0`).
    public var bus: Int
    /// The device (slot) number on the bus.
    public var slot: Int
    /// The function number within the device, 0 to 7.
    public var function: Int
    /// The class name (`Ethernet controller`), or `Class NNNN` for classes QEMU has no name for.
    public var classDescription: String
    /// The class code, only known for the unnamed classes: QEMU prints it in **decimal** padded to four digits
    /// (`Class 0255` is class 0x00ff).
    public var classCode: Int?
    /// The vendor ID (`1af4` in `PCI device 1af4:1000`).
    public var vendorID: Int?
    /// The device ID (`1000` in `PCI device 1af4:1000`).
    public var deviceID: Int?
    /// The subsystem vendor ID (`1af4` in `PCI subsystem 1af4:0001`); nil when QEMU prints no subsystem line.
    public var subsystemVendorID: Int?
    /// The subsystem ID (`0001` in `PCI subsystem 1af4:0001`); nil when QEMU prints no subsystem line.
    public var subsystemID: Int?
    /// The legacy interrupt line.
    public var irq: Int?
    /// The interrupt pin, `A` to `D`.
    public var irqPin: String?
    /// The bus numbers and windows of a PCI bridge.
    public var bridge: HMPPCIBridge?
    /// The BARs (BAR6 is the expansion ROM).
    public var bars: [HMPPCIBar]
    /// The device's `id` (`-device ...,id=nic0`); `nil` when it has none (QEMU prints `id ""`).
    public var qdevID: String?

    /// A PCI function with the given fields; `parse(_:)` fills it from `info pci`.
    public init(
        bus: Int, slot: Int, function: Int, classDescription: String, classCode: Int? = nil, vendorID: Int? = nil,
        deviceID: Int? = nil, subsystemVendorID: Int? = nil, subsystemID: Int? = nil, irq: Int? = nil,
        irqPin: String? = nil, bridge: HMPPCIBridge? = nil, bars: [HMPPCIBar] = [], qdevID: String? = nil
    ) {
        self.bus = bus
        self.slot = slot
        self.function = function
        self.classDescription = classDescription
        self.classCode = classCode
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.subsystemVendorID = subsystemVendorID
        self.subsystemID = subsystemID
        self.irq = irq
        self.irqPin = irqPin
        self.bridge = bridge
        self.bars = bars
        self.qdevID = qdevID
    }
}

/// What `info pci` shows of a PCI-to-PCI bridge.
public struct HMPPCIBridge: Sendable, Hashable, Encodable {
    /// The bus the bridge sits on (`BUS 0.`).
    public var bus: Int?
    /// The number of the bus directly behind the bridge (`secondary bus 1`).
    public var secondaryBus: Int?
    /// The highest bus number reachable behind the bridge (`subordinate bus 1`).
    public var subordinateBus: Int?
    /// The I/O port window the bridge forwards (`IO range`).
    public var ioRange: HMPPCIRange?
    /// The memory window the bridge forwards (`memory range`).
    public var memoryRange: HMPPCIRange?
    /// The prefetchable memory window the bridge forwards (`prefetchable memory range`).
    public var prefetchableMemoryRange: HMPPCIRange?

    /// A bridge with the given bus numbers and windows.
    public init(
        bus: Int? = nil, secondaryBus: Int? = nil, subordinateBus: Int? = nil, ioRange: HMPPCIRange? = nil,
        memoryRange: HMPPCIRange? = nil, prefetchableMemoryRange: HMPPCIRange? = nil
    ) {
        self.bus = bus
        self.secondaryBus = secondaryBus
        self.subordinateBus = subordinateBus
        self.ioRange = ioRange
        self.memoryRange = memoryRange
        self.prefetchableMemoryRange = prefetchableMemoryRange
    }
}

/// An address window `[base, limit]`, both ends included.
public struct HMPPCIRange: Sendable, Hashable, Encodable {
    /// The first address of the window.
    public var base: UInt64
    /// The last address of the window (included).
    public var limit: UInt64

    /// The window from `base` to `limit`, both included.
    public init(base: UInt64, limit: UInt64) {
        self.base = base
        self.limit = limit
    }
}

/// A BAR: `BAR0: I/O at 0xd200 [0xd21f].`, `BAR4: 64 bit prefetchable memory at 0xfe204000 [0xfe207fff].`
///
/// A BAR the firmware has not placed yet is unmapped: QEMU 7.2 prints its address as `0xffffffffffffffff`
/// (later versions print `(not mapped)`); both give ``address`` `nil`.
public struct HMPPCIBar: Sendable, Hashable, Encodable {
    /// The address space a BAR maps.
    public enum Kind: String, Sendable, Hashable, Encodable {
        /// I/O ports (`I/O at`).
        case io
        /// Memory (`memory at`), 32 or 64 bit.
        case memory
    }

    /// The BAR number; 6 is the expansion ROM.
    public var index: Int
    /// I/O ports or memory.
    public var kind: Kind
    /// 32 or 64 for memory BARs.
    public var bits: Int?
    /// Whether QEMU printed `prefetchable` (memory BARs the guest may read ahead).
    public var prefetchable: Bool
    /// The first address; `nil` when unmapped.
    public var address: UInt64?
    /// The last address; `nil` when unmapped.
    public var lastAddress: UInt64?

    /// A BAR with the given fields; leave `address` nil for an unmapped one.
    public init(
        index: Int, kind: Kind, bits: Int? = nil, prefetchable: Bool = false, address: UInt64? = nil,
        lastAddress: UInt64? = nil
    ) {
        self.index = index
        self.kind = kind
        self.bits = bits
        self.prefetchable = prefetchable
        self.address = address
        self.lastAddress = lastAddress
    }

    /// The size in bytes, for mapped BARs.
    public var size: UInt64? {
        guard let address, let lastAddress, lastAddress >= address else { return nil }
        return lastAddress - address + 1
    }
}
