extension JobStatus {
    /// True for `concluded` and `null`: the job will not change any more.
    public var isFinal: Bool { self == .concluded || self == .null }
}

/// A job's kind (`JobType`), e.g. `backup`, `mirror`, `snapshot-save`.
public struct JobType: QMPEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `block-commit`: merges an overlay into an image below it.
    public static let commit: JobType = "commit"
    /// `block-stream`: copies backing data up into the overlay.
    public static let stream: JobType = "stream"
    /// `blockdev-mirror` or `drive-mirror`: keeps a copy in sync until completed.
    public static let mirror: JobType = "mirror"
    /// `blockdev-backup` or `drive-backup`: a point-in-time copy.
    public static let backup: JobType = "backup"
    /// `blockdev-create`: formats a new image.
    public static let create: JobType = "create"
    /// `snapshot-load`: loads an internal snapshot (QEMU 6.0 and later).
    public static let snapshotLoad: JobType = "snapshot-load"
    /// `snapshot-save`: saves an internal snapshot (QEMU 6.0 and later).
    public static let snapshotSave: JobType = "snapshot-save"
    /// `snapshot-delete`: deletes an internal snapshot (QEMU 6.0 and later).
    public static let snapshotDelete: JobType = "snapshot-delete"
}

/// A user action on a job (`JobVerb`), with the states in which QEMU accepts it.
public enum JobVerb: String, Sendable, CaseIterable {
    /// Each verb is sent as `job-VERB` (``commandName``); ``allowedStatuses`` says when QEMU takes it.
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
