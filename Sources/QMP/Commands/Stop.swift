/// Pauses the guest's vCPUs.
///
/// Returns `{}`; QEMU sends `STOP` (``StopEvent``). Stopping a paused guest is not an error.
public struct Stop: QMPCommand, Hashable {
    public static let name = "stop"
    public typealias Response = QMPEmpty

    public init() {}
}
