/// Lists every job that exists: running ones and concluded ones not yet dismissed.
public struct QueryJobs: QMPCommand, Hashable {
    public static let name = "query-jobs"
    public typealias Response = [JobInfo]

    public init() {}
}
