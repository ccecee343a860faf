/// `blockdev-mirror`: copy a node into a target node and keep the copy in sync with the guest's writes.
///
/// Once the copy has caught up the job sends BLOCK_JOB_READY and waits in `ready`; ``Job/complete(timeout:)`` then
/// switches the guest over to the target (the guest's disk is the target from then on). Cancelling in `ready`
/// keeps the guest on the source.
public struct BlockdevMirror: JobCommand, Hashable {
    public static let name = "blockdev-mirror"
    public static let takesAutoOptions = true
    public typealias Response = QMPEmpty

    public var jobID: String
    /// The source: a device or node name.
    public var device: String
    /// The target node name.
    public var target: String
    public var sync: MirrorSyncMode
    /// The node the target replaces on switch-over, when it is not `device` itself.
    public var replaces: String?
    public var speed: Int64?
    public var onSourceError: BlockdevOnError?
    public var onTargetError: BlockdevOnError?
    /// `background` (default) or `write-blocking` (guest writes go to both before they complete).
    public var copyMode: String?
    public var autoFinalize: Bool?
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

    public init(
        jobID: String, device: String, target: String, sync: MirrorSyncMode = .full, replaces: String? = nil,
        speed: Int64? = nil, onSourceError: BlockdevOnError? = nil, onTargetError: BlockdevOnError? = nil,
        copyMode: String? = nil, extra: JSONObject = [:]
    ) {
        self.jobID = jobID
        self.device = device
        self.target = target
        self.sync = sync
        self.replaces = replaces
        self.speed = speed
        self.onSourceError = onSourceError
        self.onTargetError = onTargetError
        self.copyMode = copyMode
        self.extra = extra
    }

    public func encode(to encoder: any Encoder) throws {
        var arguments = ArgumentsBuilder()
        arguments.set("job-id", jobID)
        arguments.set("device", device)
        arguments.set("target", target)
        arguments.set("sync", sync)
        arguments.set("replaces", replaces)
        arguments.set("speed", speed)
        arguments.set("on-source-error", onSourceError)
        arguments.set("on-target-error", onTargetError)
        arguments.set("copy-mode", copyMode)
        arguments.finishJob(autoFinalize: autoFinalize, autoDismiss: autoDismiss, extra: extra)
        try arguments.encode(to: encoder)
    }
}
