/// `block-stream`: copy data from the backing chain into the top image, so that the backing files are no
/// longer needed (down to `baseNode`, or the whole chain).
public struct BlockStream: BlockJobCommand, Hashable {
    /// The QMP command name, `block-stream`.
    public static let name = "block-stream"
    /// `true`: ``Job`` sets `auto-finalize`/`auto-dismiss` from its ``Job/Options``.
    public static let takesAutoOptions = true
    /// The command answers `{}`; progress and errors arrive through the job.
    public typealias Response = QMPEmpty

    /// The id of the job QEMU creates (`job-id`).
    public var jobID: String
    /// The device or node whose image receives the data.
    public var device: String
    /// The node that stays as the new backing file; `nil` streams the whole chain.
    public var baseNode: String?
    /// The copy's speed limit in bytes per second; `nil` or 0 means unlimited.
    public var speed: Int64?
    /// What the job does on an I/O error (`on-error`); QEMU's default is `report`.
    public var onError: BlockdevOnError?
    /// Sent as `auto-finalize` when not `nil`; ``Job/start(_:on:options:timeout:)`` sets it from its options.
    public var autoFinalize: Bool?
    /// Sent as `auto-dismiss` when not `nil`; ``Job/start(_:on:options:timeout:)`` sets it from its options.
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

    /// Describes streaming the backing chain of `device` into it.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - device: The device or node that receives the data.
    ///   - baseNode: The node that stays as backing; `nil` streams the whole chain.
    ///   - speed: A speed limit in bytes per second.
    ///   - onError: The action on an I/O error.
    ///   - extra: Further arguments, sent as they are.
    public init(
        jobID: String, device: String, baseNode: String? = nil, speed: Int64? = nil, onError: BlockdevOnError? = nil,
        extra: JSONObject = [:]
    ) {
        self.jobID = jobID
        self.device = device
        self.baseNode = baseNode
        self.speed = speed
        self.onError = onError
        self.extra = extra
    }

    public func encode(to encoder: any Encoder) throws {
        var arguments = ArgumentsBuilder()
        arguments.set("job-id", jobID)
        arguments.set("device", device)
        arguments.set("base-node", baseNode)
        arguments.set("speed", speed)
        arguments.set("on-error", onError)
        arguments.finishJob(autoFinalize: autoFinalize, autoDismiss: autoDismiss, extra: extra)
        try arguments.encode(to: encoder)
    }
}
