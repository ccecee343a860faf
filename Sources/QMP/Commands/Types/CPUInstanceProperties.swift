public import QMPWire

/// Where a CPU sits in the topology. Reported by `query-hotpluggable-cpus` and `query-cpus-fast`; the same
/// members, given to `device_add` with the CPU's type, plug a CPU into a free slot.
///
/// Members this type does not name (a topology level a newer QEMU adds) are kept in ``otherMembers`` and written
/// back, so a slot listed by any QEMU can be plugged: QEMU refuses a CPU whose topology misses a level it listed.
public struct CPUInstanceProperties: Codable, Sendable, Hashable {
    /// The NUMA node the CPU belongs to (`node-id`).
    public var nodeID: Int?
    /// The socket (package) index (`socket-id`).
    public var socketID: Int?
    /// The drawer index (`drawer-id`); only on targets with drawers (s390x), QEMU ≥ 8.2.
    public var drawerID: Int?
    /// The book index within the drawer (`book-id`); only on targets with books (s390x), QEMU ≥ 8.2.
    public var bookID: Int?
    /// The die index within the socket (`die-id`); only on targets with dies (x86).
    public var dieID: Int?
    /// The cluster index within the socket (`cluster-id`); only on targets with clusters (Arm), QEMU ≥ 7.1.
    public var clusterID: Int?
    /// The module index within the die (`module-id`); x86 machines with `-smp ...,modules=N`, QEMU ≥ 9.1.
    public var moduleID: Int?
    /// The core index within its module, die or socket (`core-id`).
    public var coreID: Int?
    /// The thread index within the core (`thread-id`).
    public var threadID: Int?
    /// Members not named above, as they are on the wire (written back as they came).
    public var otherMembers: JSONObject

    /// Creates a value from its members.
    public init(
        nodeID: Int? = nil, socketID: Int? = nil, dieID: Int? = nil, clusterID: Int? = nil, coreID: Int? = nil,
        threadID: Int? = nil, drawerID: Int? = nil, bookID: Int? = nil, moduleID: Int? = nil,
        otherMembers: JSONObject = [:]
    ) {
        self.nodeID = nodeID
        self.socketID = socketID
        self.dieID = dieID
        self.clusterID = clusterID
        self.coreID = coreID
        self.threadID = threadID
        self.drawerID = drawerID
        self.bookID = bookID
        self.moduleID = moduleID
        self.otherMembers = otherMembers
    }

    /// The named members' wire names, in QEMU's topology order.
    private static let named: [(name: String, path: any WritableKeyPath<CPUInstanceProperties, Int?> & Sendable)] = [
        ("node-id", \.nodeID), ("drawer-id", \.drawerID), ("book-id", \.bookID), ("socket-id", \.socketID),
        ("die-id", \.dieID), ("cluster-id", \.clusterID), ("module-id", \.moduleID), ("core-id", \.coreID),
        ("thread-id", \.threadID),
    ]

    /// Decodes a JSON object: the named members as integers, every other member kept as it is.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicCodingKey.self)
        self.init()
        for key in container.allKeys {
            if let member = Self.named.first(where: { $0.name == key.stringValue }) {
                self[keyPath: member.path] = try container.decodeIfPresent(Int.self, forKey: key)
            } else {
                otherMembers[key.stringValue] = try container.decode(JSON.self, forKey: key)
            }
        }
    }

    /// The members as they go on the wire: the named ones that are set, in topology order, then the others.
    public var wireMembers: JSONObject {
        var members = JSONObject()
        for member in Self.named {
            if let value = self[keyPath: member.path] { members[member.name] = JSON(value) }
        }
        for (key, value) in otherMembers where members[key] == nil { members[key] = value }
        return members
    }

    /// Writes ``wireMembers``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        try container.encodeFlattened(wireMembers, skipping: [])
    }
}
