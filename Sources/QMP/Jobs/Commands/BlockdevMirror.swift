/// `blockdev-mirror`: copy a node into a target node and keep the copy in sync with the guest's writes.
///
/// Once the copy has caught up the job sends BLOCK_JOB_READY and waits in `ready`; ``Job/complete(timeout:)`` then
/// switches the guest over to the target (the guest's disk is the target from then on). Cancelling in `ready`
/// keeps the guest on the source.
public struct BlockdevMirror: BlockJobCommand, Hashable {
    /// The QMP command name, `blockdev-mirror`.
    public static let name = "blockdev-mirror"
    /// `true`: ``Job`` sets `auto-finalize`/`auto-dismiss` from its ``Job/Options``.
    public static let takesAutoOptions = true
    /// The command answers `{}`; progress and errors arrive through the job.
    public typealias Response = QMPEmpty

    /// The id of the job QEMU creates (`job-id`).
    public var jobID: String
    /// The source: a device or node name.
    public var device: String
    /// The target node name.
    public var target: String
    /// What to copy: `full` (everything), `top` (only this layer, not its backing chain), `none` (only new writes).
    public var sync: MirrorSyncMode
    /// The node the target replaces on switch-over, when it is not `device` itself.
    public var replaces: String?
    /// The copy's speed limit in bytes per second; `nil` or 0 means unlimited.
    public var speed: Int64?
    /// What the job does when reading the source fails (`on-source-error`); QEMU's default is `report`.
    public var onSourceError: BlockdevOnError?
    /// What the job does when writing the target fails (`on-target-error`); QEMU's default is `report`.
    public var onTargetError: BlockdevOnError?
    /// `.background` (default) or `.writeBlocking` (guest writes go to both before they complete).
    public var copyMode: MirrorCopyMode?
    /// Sent as `auto-finalize` when not `nil`; ``Job/start(_:on:options:timeout:)`` sets it from its options.
    public var autoFinalize: Bool?
    /// Sent as `auto-dismiss` when not `nil`; ``Job/start(_:on:options:timeout:)`` sets it from its options.
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

    /// Describes a mirror of `device` into the node `target`.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - device: The source device or node.
    ///   - target: The target node name, already added with `blockdev-add`.
    ///   - sync: What to copy (default: everything).
    ///   - replaces: The node the target replaces on switch-over, when not `device`.
    ///   - speed: A speed limit in bytes per second.
    ///   - onSourceError: The action on a source read error.
    ///   - onTargetError: The action on a target write error.
    ///   - copyMode: `.background` or `.writeBlocking`.
    ///   - extra: Further arguments, sent as they are.
    public init(
        jobID: String, device: String, target: String, sync: MirrorSyncMode = .full, replaces: String? = nil,
        speed: Int64? = nil, onSourceError: BlockdevOnError? = nil, onTargetError: BlockdevOnError? = nil,
        copyMode: MirrorCopyMode? = nil, extra: JSONObject = [:]
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

/// How a mirror copies what the guest writes while it runs (`MirrorCopyMode`). Another value QEMU may add is
/// `MirrorCopyMode(rawValue:)`.
public struct MirrorCopyMode: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// A mode by its wire value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Copy in the background; guest writes complete at once (QEMU's default).
    public static let background: MirrorCopyMode = "background"
    /// A guest write completes only once it is also on the target (`write-blocking`), so the mirror converges.
    public static let writeBlocking: MirrorCopyMode = "write-blocking"
}
