/// `blockdev-create`: format an image on an existing node (e.g. write a qcow2 header onto a `file` node).
///
/// `options` is `BlockdevCreateOptions`: `driver` plus the driver's members, e.g.
/// `["driver": "qcow2", "file": "node0", "size": 67108864]`. The job stays `concluded` until dismissed
/// (``Job`` does that).
public struct BlockdevCreate: JobCommand, Hashable {
    /// The QMP command name, `blockdev-create`.
    public static let name = "blockdev-create"
    /// `false`: the command has no `auto-finalize`/`auto-dismiss` arguments, so ``Job`` never sets them (and the command has no such properties).
    public static let takesAutoOptions = false
    /// The command answers `{}`; progress and errors arrive through the job.
    public typealias Response = QMPEmpty

    /// The id of the job QEMU creates (`job-id`).
    public var jobID: String
    /// The image to create: `driver` and that driver's members (QEMU's `BlockdevCreateOptions`), sent as they are.
    public var options: JSONObject

    /// Describes creating an image with `options`.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - options: `driver` plus the driver's members, e.g. `["driver": "qcow2", "file": "node0", "size": 67108864]`.
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
