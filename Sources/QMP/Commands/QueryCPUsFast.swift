/// Lists the vCPUs without interrupting the guest.
///
/// Returns one ``CPUInfoFast`` per vCPU, with its index, QOM path, host thread and topology.
public struct QueryCPUsFast: QMPCommand, Hashable {
    public static let name = "query-cpus-fast"
    public typealias Response = [CPUInfoFast]

    public init() {}
}
