/// `blockdev-create`: format an image on an existing node (e.g. write a qcow2 header onto a `file` node).
///
/// `options` is `BlockdevCreateOptions`: `driver` plus the driver's members, e.g.
/// `["driver": "qcow2", "file": "node0", "size": 67108864]`. The job stays `concluded` until dismissed
/// (``Job`` does that).
public struct BlockdevCreate: JobCommand, Hashable {
    public static let name = "blockdev-create"
    public static let takesAutoOptions = false
    public typealias Response = QMPEmpty

    public var jobID: String
    public var options: JSONObject
    public var autoFinalize: Bool? { get { nil } set {} }
    public var autoDismiss: Bool? { get { nil } set {} }

    public init(jobID: String, options: JSONObject) {
        self.jobID = jobID
        self.options = options
    }

    public func encode(to encoder: any Encoder) throws {
        var arguments = ArgumentsBuilder()
        arguments.set("job-id", jobID)
        arguments.set("options", JSON.object(options))
        try arguments.encode(to: encoder)
    }
}
