/// A job that concluded with an error, or was cancelled; ``message`` is QEMU's text (e.g. `No space left on
/// device`).
public struct JobFailedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The failed job's id (its `job-id`).
    public var id: String
    /// The job's type, when known.
    public var type: JobType?
    /// QEMU's error text for the job.
    public var message: String
    /// True when the job ended because it was cancelled.
    public var cancelled: Bool

    /// A failure of job `id`; `cancelled` when it ended because it was cancelled.
    public init(id: String, type: JobType? = nil, message: String, cancelled: Bool = false) {
        self.id = id
        self.type = type
        self.message = message
        self.cancelled = cancelled
    }

    /// `JobFailed: TYPE job 'ID' failed: MESSAGE`, or `JobCancelled: ...` for a cancelled job.
    public var description: String {
        let kind = type.map { "\($0.rawValue) job" } ?? "job"
        return cancelled ? "JobCancelled: \(kind) '\(id)' was cancelled" : "JobFailed: \(kind) '\(id)' failed: \(message)"
    }
}

/// A job action asked for in a state where QEMU does not accept it (e.g. `complete` on a backup, or on a mirror
/// that is not `ready` yet), or on a job that no longer exists. Nothing was changed.
public struct JobStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The id of the job the action was refused for.
    public var id: String
    /// The refused action.
    public var verb: JobVerb
    /// The job's status when the action was refused; `nil` when the job does not exist.
    public var status: JobStatus?

    /// `verb` refused for job `id` in `status` (nil: the job does not exist).
    public init(id: String, verb: JobVerb, status: JobStatus?) {
        self.id = id
        self.verb = verb
        self.status = status
    }

    /// `JobNotFound: ...` when the job does not exist, else `JobState: ...` with the states that allow the verb.
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
    /// The id of the stopped job.
    public var id: String
    /// `read` or `write`.
    public var operation: String
    /// `stop`, `report` or `ignore`.
    public var action: String
    /// True when the cause was ENOSPC.
    public var noSpace: Bool
    /// QEMU's error text, when it sent one.
    public var reason: String?

    /// A stop of job `id` after a failed `operation`, with the policy's `action`.
    public init(id: String, operation: String, action: String, noSpace: Bool, reason: String? = nil) {
        self.id = id
        self.operation = operation
        self.action = action
        self.noSpace = noSpace
        self.reason = reason
    }

    /// `JobIOError: job 'ID' stopped on a OPERATION error: CAUSE; resume or cancel it`.
    public var description: String {
        let cause = reason ?? (noSpace ? "No space left on device" : "I/O error")
        return "JobIOError: job '\(id)' stopped on a \(operation) error: \(cause); resume or cancel it"
    }
}
