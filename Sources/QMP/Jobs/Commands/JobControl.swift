/// A command that applies a ``JobVerb`` to one job; returns `{}`.
///
/// QEMU accepts each verb only in some states (``JobVerb/allowedStatuses``); ``Job`` checks that before sending
/// and explains a refusal.
public protocol JobVerbCommand: QMPCommand where Response == QMPEmpty {
    /// The job's id.
    var id: String { get }
    static var verb: JobVerb { get }
    init(id: String)
}

extension JobVerbCommand {
    public static var name: String { verb.commandName }
}

/// `job-cancel`: stop the job; it concludes with an error. On a mirror in `ready` it abandons the copy without
/// switching the guest over to the target.
public struct JobCancel: JobVerbCommand, Hashable {
    public static let verb = JobVerb.cancel
    public var id: String
    public init(id: String) { self.id = id }
}

/// `job-pause`: pause the job (`running` → `paused`, `ready` → `standby`).
public struct JobPause: JobVerbCommand, Hashable {
    public static let verb = JobVerb.pause
    public var id: String
    public init(id: String) { self.id = id }
}

/// `job-resume`: resume a paused job.
public struct JobResume: JobVerbCommand, Hashable {
    public static let verb = JobVerb.resume
    public var id: String
    public init(id: String) { self.id = id }
}

/// `job-complete`: finish a job that waits in `ready` (a mirror: switch the guest over to the target).
public struct JobComplete: JobVerbCommand, Hashable {
    public static let verb = JobVerb.complete
    public var id: String
    public init(id: String) { self.id = id }
}

/// `job-finalize`: commit a job started with `auto-finalize: false` that waits in `pending`.
public struct JobFinalize: JobVerbCommand, Hashable {
    public static let verb = JobVerb.finalize
    public var id: String
    public init(id: String) { self.id = id }
}

/// `job-dismiss`: remove a `concluded` job from `query-jobs`.
public struct JobDismiss: JobVerbCommand, Hashable {
    public static let verb = JobVerb.dismiss
    public var id: String
    public init(id: String) { self.id = id }
}
