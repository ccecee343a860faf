import QMPWire

/// One QOM property, as `qom-list` and `device-list-properties` list it.
public struct ObjectPropertyInfo: Codable, Sendable, Hashable {
    /// The property name, e.g. `drive`.
    public var name: String
    /// The type: a plain type (`bool`, `uint32`, `str`), `child<TYPE>`, `link<TYPE>` or a free-form name.
    public var type: String
    /// A short description, when the property has one.
    public var description: String?
    /// The default value, when known (device properties only).
    public var defaultValue: JSON?

    /// Creates a value from its members.
    public init(name: String, type: String, description: String? = nil, defaultValue: JSON? = nil) {
        self.name = name
        self.type = type
        self.description = description
        self.defaultValue = defaultValue
    }

    /// The type inside `child<...>`, or `nil` when the property is not a child.
    public var childType: String? { bracketed(prefix: "child<") }
    /// The type inside `link<...>`, or `nil` when the property is not a link.
    public var linkType: String? { bracketed(prefix: "link<") }

    private func bracketed(prefix: String) -> String? {
        guard type.hasPrefix(prefix), type.hasSuffix(">") else { return nil }
        return String(type.dropFirst(prefix.count).dropLast())
    }

    enum CodingKeys: String, CodingKey {
        case name, type, description
        case defaultValue = "default-value"
    }
}
