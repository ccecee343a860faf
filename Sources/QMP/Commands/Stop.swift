/// Pauses the guest's vCPUs.
///
/// Returns `{}`; QEMU sends `STOP` (``StopEvent``). Stopping a paused guest is not an error.
public struct Stop: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "stop"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The command (it takes no arguments).
    public init() {}
}
