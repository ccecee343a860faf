/// Lists every job that exists: running ones and concluded ones not yet dismissed.
public struct QueryJobs: QMPCommand, Hashable {
    /// The QMP command name, `query-jobs`.
    public static let name = "query-jobs"
    /// One ``JobInfo`` per job, in QEMU's order.
    public typealias Response = [JobInfo]

    /// The command takes no arguments.
    public init() {}
}
