public import QMPWire

/// Creates a QOM object: a memory backend, a secret, an iothread, an RNG backend ...
///
/// Returns `{}`. `properties` carries the object type's own members. QEMU 6.0 and later take them at the top level
/// next to `qom-type` and `id` (the form `Encodable` writes); older QEMUs take them in a `props` object.
/// ``QMPClient/execute(_:timeout:)`` sends the form the connected QEMU takes, by its greeting's version:
/// ```swift
/// try await client.execute(ObjectAdd.memoryBackendRAM(id: "mem1", size: 256 << 20))
/// try await client.execute(DeviceAdd(driver: "pc-dimm", id: "dimm1", properties: ["memdev": "mem1"]))
/// ```
public struct ObjectAdd: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "object-add"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The object type, e.g. `memory-backend-ram`, `secret`, `iothread`.
    public var qomType: String
    /// The object id; the object appears at `/objects/ID`.
    public var id: String
    /// Further members of the type. Members named `qom-type` or `id` here are ignored: the typed fields win.
    public var properties: JSONObject

    /// An object of type `qomType` named `id`, with the type's own members in `properties`.
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

    /// Writes the flat form (QEMU 6.0 and later); see ``arguments(for:)`` for older QEMUs.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        try container.encode(qomType, forKey: DynamicCodingKey("qom-type"))
        try container.encode(id, forKey: DynamicCodingKey("id"))
        try container.encodeFlattened(properties, skipping: ["qom-type", "id"])
    }
}

// MARK: - The form each QEMU takes

extension ObjectAdd {
    /// The first QEMU whose `object-add` takes the object's members at the top level (before it: in `props`).
    public static let flatFormSince = QEMUVersion(major: 6, minor: 0, micro: 0)

    /// The arguments as `version` takes them: flat from QEMU 6.0, `{"qom-type", "id", "props": {...}}` before.
    /// With no members, the older form sends no `props` at all.
    public func arguments(for version: QEMUVersion) -> JSONObject {
        var arguments: JSONObject = ["qom-type": .string(qomType), "id": .string(id)]
        var members = properties
        members["qom-type"] = nil
        members["id"] = nil
        if version >= Self.flatFormSince {
            for (key, value) in members { arguments[key] = value }
        } else if !members.isEmpty {
            arguments["props"] = .object(members)
        }
        return arguments
    }
}

extension QMPClient {
    /// Runs `object-add` in the form the connected QEMU takes (by the greeting's version): the object's members at
    /// the top level from QEMU 6.0, in `props` before.
    ///
    /// Chosen over the generic ``execute(_:fileDescriptors:timeout:)`` whenever the static type is ``ObjectAdd``.
    public nonisolated(nonsending) func execute(_ command: ObjectAdd, timeout: Duration? = nil) async throws -> QMPEmpty {
        let arguments = command.arguments(for: greeting.version)
        _ = try await execute(ObjectAdd.name, arguments: .object(arguments), timeout: timeout)
        return QMPEmpty()
    }
}
