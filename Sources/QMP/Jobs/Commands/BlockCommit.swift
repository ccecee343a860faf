/// `block-commit`: merge an image's data down into an image below it in the backing chain.
///
/// Committing the active (top) layer behaves like a mirror: the job waits in `ready` until
/// ``Job/complete(timeout:)`` switches the guest to the base.
public struct BlockCommit: BlockJobCommand, Hashable {
    /// The QMP command name, `block-commit`.
    public static let name = "block-commit"
    /// `true`: ``Job`` sets `auto-finalize`/`auto-dismiss` from its ``Job/Options``.
    public static let takesAutoOptions = true
    /// The command answers `{}`; progress and errors arrive through the job.
    public typealias Response = QMPEmpty

    /// The id of the job QEMU creates (`job-id`).
    public var jobID: String
    /// The device or node at the top of the chain.
    public var device: String
    /// The node to commit into; `nil` means the bottom of the chain.
    public var baseNode: String?
    /// The node to commit from; `nil` means the active layer.
    public var topNode: String?
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

    /// Describes a commit in the backing chain of `device`.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - device: The device or node at the top of the chain.
    ///   - baseNode: The node to commit into; `nil` for the bottom of the chain.
    ///   - topNode: The node to commit from; `nil` for the active layer (the job then waits in `ready`).
    ///   - speed: A speed limit in bytes per second.
    ///   - onError: The action on an I/O error.
    ///   - extra: Further arguments, sent as they are.
    public init(
        jobID: String, device: String, baseNode: String? = nil, topNode: String? = nil, speed: Int64? = nil,
        onError: BlockdevOnError? = nil, extra: JSONObject = [:]
    ) {
        self.jobID = jobID
        self.device = device
        self.baseNode = baseNode
        self.topNode = topNode
        self.speed = speed
        self.onError = onError
        self.extra = extra
    }

    public func encode(to encoder: any Encoder) throws {
        var arguments = ArgumentsBuilder()
        arguments.set("job-id", jobID)
        arguments.set("device", device)
        arguments.set("base-node", baseNode)
        arguments.set("top-node", topNode)
        arguments.set("speed", speed)
        arguments.set("on-error", onError)
        arguments.finishJob(autoFinalize: autoFinalize, autoDismiss: autoDismiss, extra: extra)
        try arguments.encode(to: encoder)
    }
}
