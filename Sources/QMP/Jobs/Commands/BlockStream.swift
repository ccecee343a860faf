/// `block-stream`: copy data from the backing chain into the top image, so that the backing files are no
/// longer needed (down to `baseNode`, or the whole chain).
public struct BlockStream: JobCommand, Hashable {
    public static let name = "block-stream"
    public static let takesAutoOptions = true
    public typealias Response = QMPEmpty

    public var jobID: String
    /// The device or node whose image receives the data.
    public var device: String
    /// The node that stays as the new backing file; `nil` streams the whole chain.
    public var baseNode: String?
    public var speed: Int64?
    public var onError: BlockdevOnError?
    public var autoFinalize: Bool?
    public var autoDismiss: Bool?
    /// Further arguments, as they are.
    public var extra: JSONObject

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
