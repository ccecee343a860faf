/// Removes a file descriptor from an fd set, or the whole set.
///
/// Returns `{}`. `fd` is QEMU's number for the descriptor, as ``AddfdInfo/fd`` reported it, not the caller's.
/// QEMU closes a removed descriptor only once nothing uses it.
public struct RemoveFd: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "remove-fd"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The fd set to remove from (`fdset-id`), as `add-fd` reported it.
    public var fdsetID: Int
    /// The descriptor to remove; every descriptor of the set when absent.
    public var fd: Int?

    /// Creates a value from its members.
    public init(fdsetID: Int, fd: Int? = nil) {
        self.fdsetID = fdsetID
        self.fd = fd
    }

    enum CodingKeys: String, CodingKey {
        case fd
        case fdsetID = "fdset-id"
    }
}
