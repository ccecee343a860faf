/// Lists the memory devices (DIMMs, NVDIMMs, virtio-mem ...).
///
/// Returns one ``MemoryDeviceInfo`` per device; empty without `-m SIZE,slots=N,maxmem=MAX` and plugged devices.
/// Boot memory is not listed.
public struct QueryMemoryDevices: QMPCommand, Hashable {
    public static let name = "query-memory-devices"
    public typealias Response = [MemoryDeviceInfo]

    public init() {}
}
