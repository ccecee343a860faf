/// What `query-status` returns: whether the guest runs and its run state.
public struct StatusInfo: Codable, Sendable, Hashable {
    /// Whether the vCPUs are running.
    public var running: Bool
    /// Whether single-step mode is on; deprecated by QEMU and absent from newer versions.
    public var singlestep: Bool?
    /// The detailed run state.
    public var status: RunState

    /// Creates a value from its members.
    public init(running: Bool, singlestep: Bool? = nil, status: RunState) {
        self.running = running
        self.singlestep = singlestep
        self.status = status
    }
}
