/// Hands QEMU a file descriptor under a name, for commands that take an fd name (e.g. `netdev_add` tap `fd`).
///
/// Returns `{}`. The descriptor travels with the request (`SCM_RIGHTS`, Unix sockets only):
/// ```swift
/// try await client.execute(GetFd(fdname: "tap0"), fileDescriptors: [fd])
/// ```
/// Fails when no descriptor came with the command. A name already in use is replaced (the old fd is closed).
public struct GetFd: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "getfd"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The name to file the descriptor under.
    public var fdname: String

    /// Creates a value from its members.
    public init(fdname: String) {
        self.fdname = fdname
    }
}
