/// Lists the CPU slots, free and used.
///
/// Returns one ``HotpluggableCPU`` per slot; a free slot has no `qomPath`. To plug one, send ``DeviceAdd`` with
/// the slot's `type` as driver and its `props` as properties. Needs `-smp N,maxcpus=M` with M > N for free slots.
public struct QueryHotpluggableCPUs: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-hotpluggable-cpus"
    /// The reply's type.
    public typealias Response = [HotpluggableCPU]

    /// The command (it takes no arguments).
    public init() {}
}
