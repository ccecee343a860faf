/// One job as `query-jobs` lists it.
///
/// `totalProgress` may be 0 right after the start (the size is not known yet), and both numbers are in an
/// arbitrary unit (bytes for block jobs); only their ratio means something.
public struct JobInfo: Codable, Sendable, Hashable {
    /// The job's id (the `job-id` it was started with, or the device name when none was given).
    public var id: String
    /// The job's type, e.g. `backup` or `mirror`.
    public var type: JobType
    /// Where the job is in its life cycle.
    public var status: JobStatus
    /// Work done so far.
    public var currentProgress: Int64
    /// Estimated total work; it can grow while the job runs (e.g. a mirror of a disk being written).
    public var totalProgress: Int64
    /// Why the job failed or was cancelled, once it has concluded; absent on success.
    public var error: String?

    /// An entry with these members, as `query-jobs` would list it.
    public init(
        id: String, type: JobType, status: JobStatus, currentProgress: Int64 = 0, totalProgress: Int64 = 0,
        error: String? = nil
    ) {
        self.id = id
        self.type = type
        self.status = status
        self.currentProgress = currentProgress
        self.totalProgress = totalProgress
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case id, type, status, error
        case currentProgress = "current-progress"
        case totalProgress = "total-progress"
    }
}
