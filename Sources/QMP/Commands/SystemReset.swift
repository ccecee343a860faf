/// Resets the guest as the reset button would.
///
/// Returns `{}` at once; QEMU sends `RESET` (``ResetEvent``) with reason `host-qmp-system-reset`. A paused guest
/// stays paused and its state becomes `prelaunch`.
public struct SystemReset: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "system_reset"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The command (it takes no arguments).
    public init() {}
}
