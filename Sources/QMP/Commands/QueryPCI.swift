/// Lists the PCI buses and their devices.
///
/// Returns one ``PCIInfo`` per root bus. Before the firmware has run (`-S`) every BAR's `address` is `-1`.
public struct QueryPCI: QMPCommand, Hashable {
    public static let name = "query-pci"
    public typealias Response = [PCIInfo]

    public init() {}
}
