/// Lists the memory devices (DIMMs, NVDIMMs, virtio-mem ...).
///
/// Returns one ``MemoryDeviceInfo`` per device; empty without `-m SIZE,slots=N,maxmem=MAX` and plugged devices.
/// Boot memory is not listed.
public struct QueryMemoryDevices: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-memory-devices"
    /// The reply's type.
    public typealias Response = [MemoryDeviceInfo]

    /// The command (it takes no arguments).
    public init() {}
}
