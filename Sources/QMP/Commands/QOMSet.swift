import QMPWire

/// Sets a QOM property.
///
/// Returns `{}`. Many properties can only be set before the object is realized; QEMU answers with an error then.
public struct QOMSet: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "qom-set"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The object's path.
    public var path: String
    /// The property.
    public var property: String
    /// The new value, in the shape the property takes.
    public var value: JSON

    /// Creates a value from its members.
    public init(path: String, property: String, value: JSON) {
        self.path = path
        self.property = property
        self.value = value
    }
}
