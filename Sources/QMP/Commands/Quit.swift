/// Makes QEMU exit.
///
/// QEMU sends `SHUTDOWN` (``ShutdownEvent``, reason `host-qmp-quit`) *before* the `{}` reply, then closes the
/// monitor; a connection reset right after the reply is expected.
public struct Quit: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "quit"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The command (it takes no arguments).
    public init() {}
}
