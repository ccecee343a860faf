import QMPWire

/// Adds a device (hot-plug, or cold-plug before `cont` on a `-S` guest).
///
/// Returns `{}` once QEMU has created the device; the guest may take a moment longer to see it (~1 s for a
/// virtio disk or NIC on `pc`). `properties` carries the driver's own properties, written at the top level of
/// the arguments next to `driver`, `id` and `bus`:
/// ```swift
/// try await client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vd1", properties: ["drive": "disk1"]))
/// ```
/// On `q35` the root bus does not take hot-plug: plug into a `pcie-root-port` with `bus:`. Driver properties are
/// not in the QMP schema; ``DeviceListProperties`` lists them.
public struct DeviceAdd: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "device_add"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The device type, e.g. `virtio-blk-pci`, `pc-dimm`, or a CPU type from ``QueryHotpluggableCPUs``.
    public var driver: String
    /// The device id (what ``DeviceDel`` and `DEVICE_DELETED` use); QEMU makes up a path when absent.
    public var id: String?
    /// The bus to plug into, e.g. `rp1` for a root port.
    public var bus: String?
    /// Further properties of the driver. A property named `driver`, `id` or `bus` here is ignored: the typed
    /// fields win.
    public var properties: JSONObject

    /// Creates a value from its members.
    public init(driver: String, id: String? = nil, bus: String? = nil, properties: JSONObject = [:]) {
        self.driver = driver
        self.id = id
        self.bus = bus
        self.properties = properties
    }

    /// Plugs a CPU into a slot that ``QueryHotpluggableCPUs`` listed: the slot's type as driver, its whole topology
    /// (`socket-id`, `module-id`, `core-id`, ..., and any member a newer QEMU adds) as properties. QEMU refuses a
    /// CPU whose topology misses a level the slot lists ("CPU module-id is not set").
    public static func cpu(_ slot: HotpluggableCPU, id: String) -> DeviceAdd {
        DeviceAdd(driver: slot.type, id: id, properties: slot.props.wireMembers)
    }

    /// Writes the wire form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        try container.encode(driver, forKey: DynamicCodingKey("driver"))
        try container.encode(id, ifPresentFor: "id")
        try container.encode(bus, ifPresentFor: "bus")
        try container.encodeFlattened(properties, skipping: ["driver", "id", "bus"])
    }
}
