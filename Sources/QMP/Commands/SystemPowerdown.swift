/// Presses the ACPI power button.
///
/// Returns `{}` at once and QEMU sends `POWERDOWN` (``PowerdownEvent``); the guest decides what to do. A guest
/// without ACPI support (or not running) ignores it, so this is no way to be sure a guest stops.
public struct SystemPowerdown: QMPCommand, Hashable {
    public static let name = "system_powerdown"
    public typealias Response = QMPEmpty

    public init() {}
}
