/// Makes QEMU exit.
///
/// QEMU sends `SHUTDOWN` (``ShutdownEvent``, reason `host-qmp-quit`) *before* the `{}` reply, then closes the
/// monitor; a connection reset right after the reply is expected.
public struct Quit: QMPCommand, Hashable {
    public static let name = "quit"
    public typealias Response = QMPEmpty

    public init() {}
}
