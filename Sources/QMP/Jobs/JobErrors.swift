/// A job that concluded with an error, or was cancelled; ``message`` is QEMU's text (e.g. `No space left on
/// device`).
public struct JobFailedError: Error, Sendable, Equatable, CustomStringConvertible {
    public var id: String
    public var type: JobType?
    /// QEMU's error text for the job.
    public var message: String
    /// True when the job ended because it was cancelled.
    public var cancelled: Bool

    public init(id: String, type: JobType? = nil, message: String, cancelled: Bool = false) {
        self.id = id
        self.type = type
        self.message = message
        self.cancelled = cancelled
    }

    public var description: String {
        let kind = type.map { "\($0.rawValue) job" } ?? "job"
        return cancelled ? "JobCancelled: \(kind) '\(id)' was cancelled" : "JobFailed: \(kind) '\(id)' failed: \(message)"
    }
}

/// A job action asked for in a state where QEMU does not accept it (e.g. `complete` on a backup, or on a mirror
/// that is not `ready` yet), or on a job that no longer exists. Nothing was changed.
public struct JobStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var id: String
    public var verb: JobVerb
    /// The job's status when the action was refused; `nil` when the job does not exist.
    public var status: JobStatus?

    public init(id: String, verb: JobVerb, status: JobStatus?) {
        self.id = id
        self.verb = verb
        self.status = status
    }

    public var description: String {
        guard let status else {
            return "JobNotFound: cannot \(verb.rawValue) job '\(id)': it does not exist (finished and dismissed, or never started)"
        }
        let allowed = verb.allowedStatuses.map(\.rawValue).sorted().joined(separator: ", ")
        return "JobState: cannot \(verb.rawValue) job '\(id)' while it is \(status.rawValue) (only when \(allowed))"
    }
}

/// A job stopped after an I/O error because its error policy is `stop` (BLOCK_JOB_ERROR): it waits, paused, to
/// be resumed (after fixing the cause, e.g. freeing space) or cancelled.
public struct JobIOError: Error, Sendable, Equatable, CustomStringConvertible {
    public var id: String
    /// `read` or `write`.
    public var operation: String
    /// `stop`, `report` or `ignore`.
    public var action: String
    /// True when the cause was ENOSPC.
    public var noSpace: Bool
    /// QEMU's error text, when it sent one.
    public var reason: String?

    public init(id: String, operation: String, action: String, noSpace: Bool, reason: String? = nil) {
        self.id = id
        self.operation = operation
        self.action = action
        self.noSpace = noSpace
        self.reason = reason
    }

    public var description: String {
        let cause = reason ?? (noSpace ? "No space left on device" : "I/O error")
        return "JobIOError: job '\(id)' stopped on a \(operation) error: \(cause); resume or cancel it"
    }
}
