/// Lists the properties of a QOM object, children and links included.
///
/// Returns one ``ObjectPropertyInfo`` per property; children show as type `child<TYPE>`, links as
/// `link<TYPE>`. Paths: `/machine`, `/machine/peripheral/ID` (devices with an id), `/machine/peripheral-anon`,
/// `/objects/ID`.
public struct QOMList: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "qom-list"
    /// The reply's type.
    public typealias Response = [ObjectPropertyInfo]

    /// The object's path, e.g. `/machine/peripheral/vd1`.
    public var path: String

    /// Creates a value from its members.
    public init(path: String) {
        self.path = path
    }
}
