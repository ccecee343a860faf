/// Closes a file descriptor that ``GetFd`` handed to QEMU.
///
/// Returns `{}`; fails when no descriptor has that name.
public struct CloseFd: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "closefd"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The name the descriptor was given with `getfd`.
    public var fdname: String

    /// Creates a value from its members.
    public init(fdname: String) {
        self.fdname = fdname
    }
}
