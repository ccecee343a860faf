/// `block-commit`: merge an image's data down into an image below it in the backing chain.
///
/// Committing the active (top) layer behaves like a mirror: the job waits in `ready` until
/// ``Job/complete(timeout:)`` switches the guest to the base.
public struct BlockCommit: JobCommand, Hashable {
    public static let name = "block-commit"
    public static let takesAutoOptions = true
    public typealias Response = QMPEmpty

    public var jobID: String
    /// The device or node at the top of the chain.
    public var device: String
    /// The node to commit into; `nil` means the bottom of the chain.
    public var baseNode: String?
    /// The node to commit from; `nil` means the active layer.
    public var topNode: String?
    public var speed: Int64?
    public var onError: BlockdevOnError?
    public var autoFinalize: Bool?
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

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
