/// A memory device (DIMM, NVDIMM, virtio-mem, ...), as `query-memory-devices` lists it.
///
/// QEMU sends a union `{"type": ..., "data": {...}}`; which members `data` has depends on `type`.
public struct MemoryDeviceInfo: Codable, Sendable, Hashable {
    /// Which kind of device this is; says which members of ``data`` are set.
    public var type: MemoryDeviceKind
    /// The device's members; those its kind lacks are `nil`.
    public var data: MemoryDeviceData

    /// Creates a value from its members.
    public init(type: MemoryDeviceKind, data: MemoryDeviceData) {
        self.type = type
        self.data = data
    }
}

/// The kind of a memory device.
public struct MemoryDeviceKind: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `pc-dimm`.
    public static let dimm: MemoryDeviceKind = "dimm"
    /// `nvdimm`: a non-volatile DIMM.
    public static let nvdimm: MemoryDeviceKind = "nvdimm"
    /// `virtio-pmem`: persistent memory through a virtio device.
    public static let virtioPMEM: MemoryDeviceKind = "virtio-pmem"
    /// `virtio-mem`: memory the guest plugs and unplugs in blocks, resized through `requested-size`.
    public static let virtioMem: MemoryDeviceKind = "virtio-mem"
    /// `sgx-epc`: an Intel SGX enclave page cache section.
    public static let sgxEPC: MemoryDeviceKind = "sgx-epc"
}

/// The `data` of a memory device; members a kind does not have are `nil`.
public struct MemoryDeviceData: Codable, Sendable, Hashable {
    /// The device id.
    public var id: String?
    /// Guest physical address (DIMMs).
    public var addr: Int?
    /// Guest physical address (virtio-pmem, virtio-mem, sgx-epc).
    public var memaddr: Int?
    /// Size in bytes (for virtio-mem: the size now plugged).
    public var size: Int?
    /// The DIMM slot number (DIMMs and NVDIMMs).
    public var slot: Int?
    /// The NUMA node.
    public var node: Int?
    /// The QOM path of the memory backend, e.g. `/objects/mem1`.
    public var memdev: String?
    /// Whether the device was added after the guest started (`device_add`), rather than on the command line.
    public var hotplugged: Bool?
    /// Whether the device can be unplugged and plugged while the guest runs.
    public var hotpluggable: Bool?
    /// virtio-mem: the size the guest was asked to plug.
    public var requestedSize: Int?
    /// virtio-mem: the largest size.
    public var maxSize: Int?
    /// virtio-mem: the plug granularity.
    public var blockSize: Int?

    /// Creates a value from its members.
    public init(
        id: String? = nil, addr: Int? = nil, memaddr: Int? = nil, size: Int? = nil, slot: Int? = nil,
        node: Int? = nil, memdev: String? = nil, hotplugged: Bool? = nil, hotpluggable: Bool? = nil,
        requestedSize: Int? = nil, maxSize: Int? = nil, blockSize: Int? = nil
    ) {
        self.id = id
        self.addr = addr
        self.memaddr = memaddr
        self.size = size
        self.slot = slot
        self.node = node
        self.memdev = memdev
        self.hotplugged = hotplugged
        self.hotpluggable = hotpluggable
        self.requestedSize = requestedSize
        self.maxSize = maxSize
        self.blockSize = blockSize
    }

    /// The guest physical address, whichever member carries it.
    public var address: Int? { addr ?? memaddr }

    enum CodingKeys: String, CodingKey {
        case id, addr, memaddr, size, slot, node, memdev, hotplugged, hotpluggable
        case requestedSize = "requested-size"
        case maxSize = "max-size"
        case blockSize = "block-size"
    }
}
