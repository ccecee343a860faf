/// Presses the ACPI power button.
///
/// Returns `{}` at once and QEMU sends `POWERDOWN` (``PowerdownEvent``); the guest decides what to do. A guest
/// without ACPI support (or not running) ignores it, so this is no way to be sure a guest stops.
public struct SystemPowerdown: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "system_powerdown"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The command (it takes no arguments).
    public init() {}
}
