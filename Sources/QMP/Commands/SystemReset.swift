/// Resets the guest as the reset button would.
///
/// Returns `{}` at once; QEMU sends `RESET` (``ResetEvent``) with reason `host-qmp-system-reset`. A paused guest
/// stays paused and its state becomes `prelaunch`.
public struct SystemReset: QMPCommand, Hashable {
    public static let name = "system_reset"
    public typealias Response = QMPEmpty

    public init() {}
}
