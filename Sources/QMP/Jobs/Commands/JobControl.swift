/// A command that applies a ``JobVerb`` to one job; returns `{}`.
///
/// QEMU accepts each verb only in some states (``JobVerb/allowedStatuses``); ``Job`` checks that before sending
/// and explains a refusal.
public protocol JobVerbCommand: QMPCommand where Response == QMPEmpty {
    /// The job's id.
    var id: String { get }
    /// The verb this command applies; its ``JobVerb/commandName`` is the command's QMP name.
    static var verb: JobVerb { get }
    /// Addresses the job with this id.
    /// - Parameter id: The job's id (`id` on the wire).
    init(id: String)
}

extension JobVerbCommand {
    /// The QMP command name, taken from ``verb``.
    public static var name: String { verb.commandName }
}

/// `job-cancel`: stop the job; it concludes with an error. On a mirror in `ready` it abandons the copy without
/// switching the guest over to the target.
public struct JobCancel: JobVerbCommand, Hashable {
    /// ``JobVerb/cancel``.
    public static let verb = JobVerb.cancel
    /// The id of the job to cancel.
    public var id: String
    /// Addresses the job with this id.
    /// - Parameter id: The job's id.
    public init(id: String) { self.id = id }
}

/// `job-pause`: pause the job (`running` → `paused`, `ready` → `standby`).
public struct JobPause: JobVerbCommand, Hashable {
    /// ``JobVerb/pause``.
    public static let verb = JobVerb.pause
    /// The id of the job to pause.
    public var id: String
    /// Addresses the job with this id.
    /// - Parameter id: The job's id.
    public init(id: String) { self.id = id }
}

/// `job-resume`: resume a paused job.
public struct JobResume: JobVerbCommand, Hashable {
    /// ``JobVerb/resume``.
    public static let verb = JobVerb.resume
    /// The id of the paused job to resume.
    public var id: String
    /// Addresses the job with this id.
    /// - Parameter id: The job's id.
    public init(id: String) { self.id = id }
}

/// `job-complete`: finish a job that waits in `ready` (a mirror: switch the guest over to the target).
public struct JobComplete: JobVerbCommand, Hashable {
    /// ``JobVerb/complete``.
    public static let verb = JobVerb.complete
    /// The id of the `ready` job to complete.
    public var id: String
    /// Addresses the job with this id.
    /// - Parameter id: The job's id.
    public init(id: String) { self.id = id }
}

/// `job-finalize`: commit a job started with `auto-finalize: false` that waits in `pending`.
public struct JobFinalize: JobVerbCommand, Hashable {
    /// ``JobVerb/finalize``.
    public static let verb = JobVerb.finalize
    /// The id of the `pending` job to finalize.
    public var id: String
    /// Addresses the job with this id.
    /// - Parameter id: The job's id.
    public init(id: String) { self.id = id }
}

/// `job-dismiss`: remove a `concluded` job from `query-jobs`.
public struct JobDismiss: JobVerbCommand, Hashable {
    /// ``JobVerb/dismiss``.
    public static let verb = JobVerb.dismiss
    /// The id of the `concluded` job to dismiss.
    public var id: String
    /// Addresses the job with this id.
    /// - Parameter id: The job's id.
    public init(id: String) { self.id = id }
}
