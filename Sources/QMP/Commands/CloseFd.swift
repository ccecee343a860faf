/// Closes a file descriptor that ``GetFd`` handed to QEMU.
///
/// Returns `{}`; fails when no descriptor has that name.
public struct CloseFd: QMPCommand, Hashable {
    public static let name = "closefd"
    public typealias Response = QMPEmpty

    public var fdname: String

    public init(fdname: String) {
        self.fdname = fdname
    }
}
