/// Adds a file descriptor to an fd set, so that file names `/dev/fdset/ID` open it (e.g. in ``BlockdevAdd``).
///
/// Returns ``AddfdInfo``: the fd set's id (a new one when `fdsetID` is absent, starting at 0) and QEMU's number
/// for the descriptor. The descriptor travels with the request (`SCM_RIGHTS`):
/// ```swift
/// let info = try await client.execute(AddFd(opaque: "disk.img rw"), fileDescriptors: [fd])
/// ```
public struct AddFd: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "add-fd"
    /// The reply's type.
    public typealias Response = AddfdInfo

    /// The fd set to add to; a new set is made when absent.
    public var fdsetID: Int?
    /// A free-form note kept with the descriptor (shown by `query-fdsets`).
    public var opaque: String?

    /// Creates a value from its members.
    public init(fdsetID: Int? = nil, opaque: String? = nil) {
        self.fdsetID = fdsetID
        self.opaque = opaque
    }

    enum CodingKeys: String, CodingKey {
        case opaque
        case fdsetID = "fdset-id"
    }
}
