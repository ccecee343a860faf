/// Where a CPU sits in the topology. Reported by `query-hotpluggable-cpus` and `query-cpus-fast`; the same
/// members, given to `device_add` with the CPU's type, plug a CPU into a free slot.
public struct CPUInstanceProperties: Codable, Sendable, Hashable {
    public var nodeID: Int?
    public var socketID: Int?
    public var dieID: Int?
    public var clusterID: Int?
    public var coreID: Int?
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
