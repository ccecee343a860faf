// Typed events of the block layer: I/O errors and job status changes.

/// `BLOCK_IO_ERROR`: a guest I/O request to a disk failed on the host.
///
/// What happens next follows the drive's `werror`/`rerror` settings (`action`); with `stop`, a `STOP` event
/// follows and the guest stays paused (run state `io-error`) until `cont`.
public struct BlockIOErrorEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "BLOCK_IO_ERROR"

    /// The block backend name; empty for drives set up with `-blockdev`.
    public var device: String
    /// The node name, when the node has one.
    public var nodeName: String?
    /// `read` or `write`.
    public var operation: IOOperationType
    /// What QEMU did: `ignore`, `report` (to the guest) or `stop` (the VM).
    public var action: BlockErrorAction
    /// Whether the host ran out of space (`ENOSPC`), e.g. a thin-provisioned image filled its disk.
    public var nospace: Bool?
    /// The host error, as text (`strerror`); for humans, not for matching.
    public var reason: String

    /// Creates a value from its members.
    public init(
        device: String, nodeName: String? = nil, operation: IOOperationType, action: BlockErrorAction,
        nospace: Bool? = nil, reason: String
    ) {
        self.device = device
        self.nodeName = nodeName
        self.operation = operation
        self.action = action
        self.nospace = nospace
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case device, operation, action, nospace, reason
        case nodeName = "node-name"
    }
}

/// `JOB_STATUS_CHANGE`: a block job (`blockdev-create`, backups, mirrors ...) moved to another status.
///
/// A job that ends runs through `waiting`, `pending` and `concluded`; `null` comes after `job-dismiss` (or at
/// once for jobs started with `auto-dismiss`).
public struct JobStatusChangeEvent: QMPEventType, Hashable {
    /// The wire name.
    public static let name = "JOB_STATUS_CHANGE"

    /// The job id.
    public var id: String
    /// The new status.
    public var status: JobStatus

    /// Creates a value from its members.
    public init(id: String, status: JobStatus) {
        self.id = id
        self.status = status
    }
}
