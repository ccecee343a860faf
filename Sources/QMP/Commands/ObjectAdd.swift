import QMPWire

/// Creates a QOM object: a memory backend, a secret, an iothread, an RNG backend ...
///
/// Returns `{}`. `properties` carries the object type's own members, written at the top level next to
/// `qom-type` and `id`:
/// ```swift
/// try await client.execute(ObjectAdd.memoryBackendRAM(id: "mem1", size: 256 << 20))
/// try await client.execute(DeviceAdd(driver: "pc-dimm", id: "dimm1", properties: ["memdev": "mem1"]))
/// ```
public struct ObjectAdd: QMPCommand, Hashable {
    public static let name = "object-add"
    public typealias Response = QMPEmpty

    /// The object type, e.g. `memory-backend-ram`, `secret`, `iothread`.
    public var qomType: String
    /// The object id; the object appears at `/objects/ID`.
    public var id: String
    /// Further members of the type. Members named `qom-type` or `id` here are ignored: the typed fields win.
    public var properties: JSONObject

    public init(qomType: String, id: String, properties: JSONObject = [:]) {
        self.qomType = qomType
        self.id = id
        self.properties = properties
    }

    /// Anonymous RAM of `size` bytes, to back a `pc-dimm` (`memdev: ID`).
    public static func memoryBackendRAM(id: String, size: Int) -> ObjectAdd {
        ObjectAdd(qomType: "memory-backend-ram", id: id, properties: ["size": JSON(size)])
    }

    /// A secret given inline (for LUKS keys, TLS passwords ...).
    public static func secret(id: String, data: String) -> ObjectAdd {
        ObjectAdd(qomType: "secret", id: id, properties: ["data": .string(data)])
    }

    /// An I/O thread, for devices' `iothread` property.
    public static func iothread(id: String) -> ObjectAdd {
        ObjectAdd(qomType: "iothread", id: id)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        try container.encode(qomType, forKey: DynamicCodingKey("qom-type"))
        try container.encode(id, forKey: DynamicCodingKey("id"))
        try container.encodeFlattened(properties, skipping: ["qom-type", "id"])
    }
}
