/// Removes a QOM object that ``ObjectAdd`` created.
///
/// Returns `{}`. Fails while the object is in use (a memory backend behind a plugged DIMM).
public struct ObjectDel: QMPCommand, Hashable {
    public static let name = "object-del"
    public typealias Response = QMPEmpty

    public var id: String

    public init(id: String) {
        self.id = id
    }
}
