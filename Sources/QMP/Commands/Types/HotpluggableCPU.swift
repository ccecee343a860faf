/// A CPU slot, as `query-hotpluggable-cpus` lists it.
public struct HotpluggableCPU: Codable, Sendable, Hashable {
    /// The CPU type to give `device_add` as `driver`, e.g. `qemu64-x86_64-cpu`.
    public var type: String
    /// How many vCPUs one device in this slot brings.
    public var vcpusCount: Int
    /// The slot's place in the topology: the properties to give `device_add`.
    public var props: CPUInstanceProperties
    /// The QOM path of the CPU in the slot; `nil` while the slot is free.
    public var qomPath: String?

    /// Creates a value from its members.
    public init(type: String, vcpusCount: Int = 1, props: CPUInstanceProperties, qomPath: String? = nil) {
        self.type = type
        self.vcpusCount = vcpusCount
        self.props = props
        self.qomPath = qomPath
    }

    /// Whether the slot is free.
    public var isFree: Bool { qomPath == nil }

    enum CodingKeys: String, CodingKey {
        case type, props
        case vcpusCount = "vcpus-count"
        case qomPath = "qom-path"
    }
}
