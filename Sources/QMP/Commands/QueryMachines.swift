/// Lists the machine types this QEMU offers.
///
/// Returns one ``MachineInfo`` per type (about 60 for QEMU 7.2 x86_64); the default one has `isDefault`, short
/// names like `pc` and `q35` appear as the `alias` of a versioned type.
public struct QueryMachines: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-machines"
    /// The reply's type.
    public typealias Response = [MachineInfo]

    /// The command (it takes no arguments).
    public init() {}
}
