/// Lists the PCI buses and their devices.
///
/// Returns one ``PCIInfo`` per root bus. Before the firmware has run (`-S`) every BAR's `address` is `-1`.
public struct QueryPCI: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-pci"
    /// The reply's type.
    public typealias Response = [PCIInfo]

    /// The command (it takes no arguments).
    public init() {}
}
