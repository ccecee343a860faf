/// `drive-backup`: like ``BlockdevBackup``, but QEMU creates (or opens, with `mode: "existing"`) the target
/// file itself. Deprecated by QEMU in favour of `blockdev-backup`; still present in 7.2.
public struct DriveBackup: JobCommand, Hashable {
    public static let name = "drive-backup"
    public static let takesAutoOptions = true
    public typealias Response = QMPEmpty

    public var jobID: String
    /// The source: a device or node name.
    public var device: String
    /// The target file.
    public var target: String
    /// The target's image format, e.g. `qcow2`.
    public var format: String?
    public var sync: MirrorSyncMode
    /// `absolute-paths` (create the file, the default) or `existing`.
    public var mode: String?
    public var bitmap: String?
    public var speed: Int64?
    public var autoFinalize: Bool?
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

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
