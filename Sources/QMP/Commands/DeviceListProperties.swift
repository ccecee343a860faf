/// Lists the properties a device type takes (what ``DeviceAdd`` accepts besides `driver`, `id` and `bus`).
///
/// Returns one ``ObjectPropertyInfo`` per property, with its type and, when known, its default value.
public struct DeviceListProperties: QMPCommand, Hashable {
    public static let name = "device-list-properties"
    public typealias Response = [ObjectPropertyInfo]

    /// The device type, e.g. `virtio-blk-pci`.
    public var typename: String

    public init(typename: String) {
        self.typename = typename
    }
}
