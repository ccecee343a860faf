/// Removes a QOM object that ``ObjectAdd`` created.
///
/// Returns `{}`. Fails while the object is in use (a memory backend behind a plugged DIMM).
public struct ObjectDel: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "object-del"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The `id` the object was created with (`object-add` or `-object`).
    public var id: String

    /// Creates a value from its members.
    public init(id: String) {
        self.id = id
    }
}
