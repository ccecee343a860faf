import QMPWire

/// Reads a QOM property.
///
/// Returns the value as JSON, with whatever shape the property has (a string, a number, a bool, an object).
public struct QOMGet: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "qom-get"
    /// The reply's type.
    public typealias Response = JSON

    /// The object's path, e.g. `/machine/peripheral/cdrom0`.
    public var path: String
    /// The property, e.g. `drive`.
    public var property: String

    /// Creates a value from its members.
    public init(path: String, property: String) {
        self.path = path
        self.property = property
    }
}
