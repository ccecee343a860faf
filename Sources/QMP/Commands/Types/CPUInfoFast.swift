/// One vCPU, as `query-cpus-fast` lists it (without interrupting the guest).
public struct CPUInfoFast: Codable, Sendable, Hashable {
    /// The CPU's index (what `human-monitor-command` takes as `cpu-index`).
    public var cpuIndex: Int
    public var qomPath: String
    /// The host thread running the vCPU.
    public var threadID: Int
    public var props: CPUInstanceProperties?
    /// The emulated architecture, e.g. `x86_64`.
    public var target: String
    /// The CPU state on s390x (absent on other targets).
    public var cpuState: String?

    public init(
        cpuIndex: Int, qomPath: String, threadID: Int, props: CPUInstanceProperties? = nil, target: String,
        cpuState: String? = nil
    ) {
        self.cpuIndex = cpuIndex
        self.qomPath = qomPath
        self.threadID = threadID
        self.props = props
        self.target = target
        self.cpuState = cpuState
    }

    enum CodingKeys: String, CodingKey {
        case props, target
        case cpuIndex = "cpu-index"
        case qomPath = "qom-path"
        case threadID = "thread-id"
        case cpuState = "cpu-state"
    }
}
