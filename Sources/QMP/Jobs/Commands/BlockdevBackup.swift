/// `blockdev-backup`: copy a node's data into another node, as it was when the job started (a point-in-time
/// backup of a running guest).
///
/// The target node must exist (`blockdev-add`, e.g. a qcow2 made with `qemu-img create`). With
/// `sync: .incremental` and a dirty bitmap, only what changed since the bitmap was created or last cleared is
/// copied; on success QEMU clears the bitmap.
public struct BlockdevBackup: BlockJobCommand, Hashable {
    /// The QMP command name, `blockdev-backup`.
    public static let name = "blockdev-backup"
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
    /// What to copy: `full`, `top` (only this layer), `none` (only blocks the guest overwrites during the job),
    /// `incremental`/`bitmap` (what ``bitmap`` marks).
    public var sync: MirrorSyncMode
    /// The dirty bitmap for `incremental`/`bitmap` sync.
    public var bitmap: String?
    /// Bytes per second; `nil` for no limit.
    public var speed: Int64?
    /// Whether to write the target compressed (only formats that support it, e.g. qcow2).
    public var compress: Bool?
    /// What the job does when reading the source fails (`on-source-error`); QEMU's default is `report`.
    public var onSourceError: BlockdevOnError?
    /// What the job does when writing the target fails (`on-target-error`); QEMU's default is `report`.
    public var onTargetError: BlockdevOnError?
    /// Sent as `auto-finalize` when not `nil`; ``Job/start(_:on:options:timeout:)`` sets it from its options.
    public var autoFinalize: Bool?
    /// Sent as `auto-dismiss` when not `nil`; ``Job/start(_:on:options:timeout:)`` sets it from its options.
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

    /// Describes a backup of `device` into the existing node `target`.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - device: The source device or node.
    ///   - target: The target node name.
    ///   - sync: What to copy (default: everything).
    ///   - bitmap: The dirty bitmap for `incremental`/`bitmap` sync.
    ///   - speed: A speed limit in bytes per second.
    ///   - compress: Whether to compress the target's data.
    ///   - onSourceError: The action on a source read error.
    ///   - onTargetError: The action on a target write error.
    ///   - extra: Further arguments, sent as they are.
    public init(
        jobID: String, device: String, target: String, sync: MirrorSyncMode = .full, bitmap: String? = nil,
        speed: Int64? = nil, compress: Bool? = nil, onSourceError: BlockdevOnError? = nil,
        onTargetError: BlockdevOnError? = nil, extra: JSONObject = [:]
    ) {
        self.jobID = jobID
        self.device = device
        self.target = target
        self.sync = sync
        self.bitmap = bitmap
        self.speed = speed
        self.compress = compress
        self.onSourceError = onSourceError
        self.onTargetError = onTargetError
        self.extra = extra
    }

    public func encode(to encoder: any Encoder) throws {
        var arguments = ArgumentsBuilder()
        arguments.set("job-id", jobID)
        arguments.set("device", device)
        arguments.set("target", target)
        arguments.set("sync", sync)
        arguments.set("bitmap", bitmap)
        arguments.set("speed", speed)
        arguments.set("compress", compress)
        arguments.set("on-source-error", onSourceError)
        arguments.set("on-target-error", onTargetError)
        arguments.finishJob(autoFinalize: autoFinalize, autoDismiss: autoDismiss, extra: extra)
        try arguments.encode(to: encoder)
    }
}
