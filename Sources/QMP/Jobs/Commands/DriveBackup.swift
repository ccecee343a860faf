/// `drive-backup`: like ``BlockdevBackup``, but QEMU creates (or opens, with `mode: "existing"`) the target
/// file itself. Deprecated by QEMU in favour of `blockdev-backup`; still present in 7.2.
public struct DriveBackup: BlockJobCommand, Hashable {
    /// The QMP command name, `drive-backup`.
    public static let name = "drive-backup"
    /// `true`: ``Job`` sets `auto-finalize`/`auto-dismiss` from its ``Job/Options``.
    public static let takesAutoOptions = true
    /// The command answers `{}`; progress and errors arrive through the job.
    public typealias Response = QMPEmpty

    /// The id of the job QEMU creates (`job-id`).
    public var jobID: String
    /// The source: a device or node name.
    public var device: String
    /// The target file.
    public var target: String
    /// The target's image format, e.g. `qcow2`.
    public var format: String?
    /// What to copy: `full`, `top`, `none`, or `incremental`/`bitmap` with ``bitmap``.
    public var sync: MirrorSyncMode
    /// `absolute-paths` (create the file, the default) or `existing`.
    public var mode: String?
    /// The dirty bitmap for `incremental`/`bitmap` sync.
    public var bitmap: String?
    /// The copy's speed limit in bytes per second; `nil` for no limit.
    public var speed: Int64?
    /// Sent as `auto-finalize` when not `nil`; ``Job/start(_:on:options:timeout:)`` sets it from its options.
    public var autoFinalize: Bool?
    /// Sent as `auto-dismiss` when not `nil`; ``Job/start(_:on:options:timeout:)`` sets it from its options.
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

    /// Describes a backup of `device` into the file `target`.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - device: The source device or node.
    ///   - target: The target file.
    ///   - format: The target's image format.
    ///   - sync: What to copy (default: everything).
    ///   - mode: `absolute-paths` (create the file) or `existing`.
    ///   - bitmap: The dirty bitmap for `incremental`/`bitmap` sync.
    ///   - speed: A speed limit in bytes per second.
    ///   - extra: Further arguments, sent as they are.
    public init(
        jobID: String, device: String, target: String, format: String? = nil, sync: MirrorSyncMode = .full,
        mode: String? = nil, bitmap: String? = nil, speed: Int64? = nil, extra: JSONObject = [:]
    ) {
        self.jobID = jobID
        self.device = device
        self.target = target
        self.format = format
        self.sync = sync
        self.mode = mode
        self.bitmap = bitmap
        self.speed = speed
        self.extra = extra
    }

    public func encode(to encoder: any Encoder) throws {
        var arguments = ArgumentsBuilder()
        arguments.set("job-id", jobID)
        arguments.set("device", device)
        arguments.set("target", target)
        arguments.set("format", format)
        arguments.set("sync", sync)
        arguments.set("mode", mode)
        arguments.set("bitmap", bitmap)
        arguments.set("speed", speed)
        arguments.finishJob(autoFinalize: autoFinalize, autoDismiss: autoDismiss, extra: extra)
        try arguments.encode(to: encoder)
    }
}
