/// Lists the properties a device type takes (what ``DeviceAdd`` accepts besides `driver`, `id` and `bus`).
///
/// Returns one ``ObjectPropertyInfo`` per property, with its type and, when known, its default value.
public struct DeviceListProperties: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "device-list-properties"
    /// The reply's type.
    public typealias Response = [ObjectPropertyInfo]

    /// The device type, e.g. `virtio-blk-pci`.
    public var typename: String

    /// Creates a value from its members.
    public init(typename: String) {
        self.typename = typename
    }
}
