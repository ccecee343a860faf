/// `blockdev-backup`: copy a node's data into another node, as it was when the job started (a point-in-time
/// backup of a running guest).
///
/// The target node must exist (`blockdev-add`, e.g. a qcow2 made with `qemu-img create`). With
/// `sync: .incremental` and a dirty bitmap, only what changed since the bitmap was created or last cleared is
/// copied; on success QEMU clears the bitmap.
public struct BlockdevBackup: JobCommand, Hashable {
    public static let name = "blockdev-backup"
    public static let takesAutoOptions = true
    public typealias Response = QMPEmpty

    public var jobID: String
    /// The source: a device or node name.
    public var device: String
    /// The target node name.
    public var target: String
    public var sync: MirrorSyncMode
    /// The dirty bitmap for `incremental`/`bitmap` sync.
    public var bitmap: String?
    /// Bytes per second; `nil` for no limit.
    public var speed: Int64?
    public var compress: Bool?
    public var onSourceError: BlockdevOnError?
    public var onTargetError: BlockdevOnError?
    public var autoFinalize: Bool?
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

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
