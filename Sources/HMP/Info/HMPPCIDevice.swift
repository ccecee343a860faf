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
    public var bus: Int
    /// The device (slot) number on the bus.
    public var slot: Int
    public var function: Int
    /// The class name (`Ethernet controller`), or `Class NNNN` for classes QEMU has no name for.
    public var classDescription: String
    /// The class code, only known for the unnamed classes: QEMU prints it in **decimal** padded to four digits
    /// (`Class 0255` is class 0x00ff).
    public var classCode: Int?
    public var vendorID: Int?
    public var deviceID: Int?
    public var subsystemVendorID: Int?
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
    public var secondaryBus: Int?
    public var subordinateBus: Int?
    public var ioRange: HMPPCIRange?
    public var memoryRange: HMPPCIRange?
    public var prefetchableMemoryRange: HMPPCIRange?

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
    public var base: UInt64
    public var limit: UInt64

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
    public enum Kind: String, Sendable, Hashable, Encodable {
        case io
        case memory
    }

    /// The BAR number; 6 is the expansion ROM.
    public var index: Int
    public var kind: Kind
    /// 32 or 64 for memory BARs.
    public var bits: Int?
    public var prefetchable: Bool
    /// The first address; `nil` when unmapped.
    public var address: UInt64?
    /// The last address; `nil` when unmapped.
    public var lastAddress: UInt64?

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
