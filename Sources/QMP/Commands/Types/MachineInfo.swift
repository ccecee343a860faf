/// One machine type, as `query-machines` lists it.
public struct MachineInfo: Codable, Sendable, Hashable {
    /// The versioned name, e.g. `pc-i440fx-7.2`.
    public var name: String
    /// A short alias that points at this type, e.g. `pc` or `q35`.
    public var alias: String?
    /// Whether this is the machine used when `-M` is not given (QEMU omits the member otherwise).
    public var isDefault: Bool?
    /// The most CPUs the machine takes.
    public var cpuMax: Int
    /// Whether CPUs can be hot-plugged; `nil` before QEMU 2.7, which did not say.
    public var hotpluggableCPUs: Bool?
    /// Whether `-numa node,mem=` is supported; `nil` before QEMU 4.1, which did not say.
    public var numaMemSupported: Bool?
    /// Whether the machine type is deprecated; `nil` before QEMU 4.2, which did not say.
    public var deprecated: Bool?
    /// The CPU type used without `-cpu`; absent for machines with no default (`none`).
    public var defaultCPUType: String?
    /// The id of the default RAM backend.
    public var defaultRAMId: String?

    /// A machine type with the given members; the optional ones default to absent.
    public init(
        name: String, alias: String? = nil, isDefault: Bool? = nil, cpuMax: Int, hotpluggableCPUs: Bool? = nil,
        numaMemSupported: Bool? = nil, deprecated: Bool? = nil, defaultCPUType: String? = nil, defaultRAMId: String? = nil
    ) {
        self.name = name
        self.alias = alias
        self.isDefault = isDefault
        self.cpuMax = cpuMax
        self.hotpluggableCPUs = hotpluggableCPUs
        self.numaMemSupported = numaMemSupported
        self.deprecated = deprecated
        self.defaultCPUType = defaultCPUType
        self.defaultRAMId = defaultRAMId
    }

    enum CodingKeys: String, CodingKey {
        case name, alias, deprecated
        case isDefault = "is-default"
        case cpuMax = "cpu-max"
        case hotpluggableCPUs = "hotpluggable-cpus"
        case numaMemSupported = "numa-mem-supported"
        case defaultCPUType = "default-cpu-type"
        case defaultRAMId = "default-ram-id"
    }
}
