import QMPWire

/// Adds a network backend, to attach to a NIC with ``DeviceAdd`` (`netdev: ID`).
///
/// Returns `{}`. `properties` carries the backend type's own options, written at the top level next to
/// `type` and `id`:
/// ```swift
/// try await client.execute(NetdevAdd.user(id: "n1", hostForwards: ["tcp::2222-:22"]))
/// ```
public struct NetdevAdd: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "netdev_add"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The backend type, e.g. `user`, `tap`, `socket`, `stream`.
    public var type: String
    /// The backend id.
    public var id: String
    /// Further options of the backend type. Members named `type` or `id` here are ignored: the typed fields win.
    public var properties: JSONObject

    /// Creates a value from its members.
    public init(type: String, id: String, properties: JSONObject = [:]) {
        self.type = type
        self.id = id
        self.properties = properties
    }

    /// User-mode networking (slirp); `hostForwards` are `hostfwd` rules such as `tcp::2222-:22`.
    public static func user(id: String, hostForwards: [String] = []) -> NetdevAdd {
        var properties = JSONObject()
        if !hostForwards.isEmpty {
            properties["hostfwd"] = .array(hostForwards.map { ["str": .string($0)] })
        }
        return NetdevAdd(type: "user", id: id, properties: properties)
    }

    /// Writes the wire form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        try container.encode(type, forKey: DynamicCodingKey("type"))
        try container.encode(id, forKey: DynamicCodingKey("id"))
        try container.encodeFlattened(properties, skipping: ["type", "id"])
    }
}
