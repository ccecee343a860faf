/// Where a CPU sits in the topology. Reported by `query-hotpluggable-cpus` and `query-cpus-fast`; the same
/// members, given to `device_add` with the CPU's type, plug a CPU into a free slot.
public struct CPUInstanceProperties: Codable, Sendable, Hashable {
    /// The NUMA node the CPU belongs to (`node-id`).
    public var nodeID: Int?
    /// The socket (package) index (`socket-id`).
    public var socketID: Int?
    /// The die index within the socket (`die-id`); only on targets with dies (x86).
    public var dieID: Int?
    /// The cluster index within the socket (`cluster-id`); only on targets with clusters (Arm), QEMU ≥ 7.1.
    public var clusterID: Int?
    /// The core index within its die or socket (`core-id`).
    public var coreID: Int?
    /// The thread index within the core (`thread-id`).
    public var threadID: Int?

    /// Creates a value from its members.
    public init(
        nodeID: Int? = nil, socketID: Int? = nil, dieID: Int? = nil, clusterID: Int? = nil, coreID: Int? = nil,
        threadID: Int? = nil
    ) {
        self.nodeID = nodeID
        self.socketID = socketID
        self.dieID = dieID
        self.clusterID = clusterID
        self.coreID = coreID
        self.threadID = threadID
    }

    enum CodingKeys: String, CodingKey {
        case nodeID = "node-id"
        case socketID = "socket-id"
        case dieID = "die-id"
        case clusterID = "cluster-id"
        case coreID = "core-id"
        case threadID = "thread-id"
    }
}
