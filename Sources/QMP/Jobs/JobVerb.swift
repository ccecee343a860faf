extension JobStatus {
    /// True for `concluded` and `null`: the job will not change any more.
    public var isFinal: Bool { self == .concluded || self == .null }
}

/// A job's kind (`JobType`), e.g. `backup`, `mirror`, `snapshot-save`.
public struct JobType: QMPEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let commit: JobType = "commit"
    public static let stream: JobType = "stream"
    public static let mirror: JobType = "mirror"
    public static let backup: JobType = "backup"
    public static let create: JobType = "create"
    public static let snapshotLoad: JobType = "snapshot-load"
    public static let snapshotSave: JobType = "snapshot-save"
    public static let snapshotDelete: JobType = "snapshot-delete"
}

/// A user action on a job (`JobVerb`), with the states in which QEMU accepts it.
public enum JobVerb: String, Sendable, CaseIterable {
    case cancel, pause, resume, complete, finalize, dismiss

    /// The states in which QEMU accepts this verb (QEMU's job verb table).
    public var allowedStatuses: Set<JobStatus> {
        switch self {
        case .cancel: return [.created, .running, .paused, .ready, .standby, .waiting, .pending, .aborting]
        case .pause: return [.created, .running, .paused, .ready, .standby]
        case .resume: return [.created, .running, .paused, .ready, .standby]
        case .complete: return [.ready]
        case .finalize: return [.pending]
        case .dismiss: return [.concluded]
        }
    }

    /// The QMP command that applies this verb, e.g. `job-complete`.
    public var commandName: String { "job-" + rawValue }
}
