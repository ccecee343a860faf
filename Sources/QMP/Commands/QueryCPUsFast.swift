/// Lists the vCPUs without interrupting the guest.
///
/// Returns one ``CPUInfoFast`` per vCPU, with its index, QOM path, host thread and topology.
public struct QueryCPUsFast: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-cpus-fast"
    /// The reply's type.
    public typealias Response = [CPUInfoFast]

    /// The command (it takes no arguments).
    public init() {}
}
