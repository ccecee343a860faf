/// One vCPU, as `query-cpus-fast` lists it (without interrupting the guest).
public struct CPUInfoFast: Codable, Sendable, Hashable {
    /// The CPU's index (what `human-monitor-command` takes as `cpu-index`).
    public var cpuIndex: Int
    /// The vCPU's object path in the QOM tree, e.g. `/machine/unattached/device[0]`.
    public var qomPath: String
    /// The host thread running the vCPU.
    public var threadID: Int
    /// Where the vCPU sits in the topology; absent on machines that do not report it.
    public var props: CPUInstanceProperties?
    /// The emulated target, e.g. `x86_64`; QEMU 3.0 and later (2.12 sent ``arch`` instead).
    public var target: String?
    /// The architecture family QEMU 2.12 to 5.2 sent, e.g. `x86` (removed in QEMU 6.0).
    public var arch: String?
    /// The CPU state on s390x (absent on other targets).
    public var cpuState: String?

    /// A vCPU with the given members.
    public init(
        cpuIndex: Int, qomPath: String, threadID: Int, props: CPUInstanceProperties? = nil, target: String? = nil,
        arch: String? = nil, cpuState: String? = nil
    ) {
        self.cpuIndex = cpuIndex
        self.qomPath = qomPath
        self.threadID = threadID
        self.props = props
        self.target = target
        self.arch = arch
        self.cpuState = cpuState
    }

    enum CodingKeys: String, CodingKey {
        case props, target, arch
        case cpuIndex = "cpu-index"
        case qomPath = "qom-path"
        case threadID = "thread-id"
        case cpuState = "cpu-state"
    }
}
