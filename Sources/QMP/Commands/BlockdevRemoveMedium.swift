/// Takes the medium out of a drive whose tray is open (see ``BlockdevOpenTray``).
///
/// Returns `{}`. Fails when the tray is closed. The medium's node stays around (remove it with
/// ``BlockdevDel`` when it was added with ``BlockdevAdd``). `id` is the device id.
public struct BlockdevRemoveMedium: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "blockdev-remove-medium"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The device id.
    public var id: String

    /// Creates a value from its members.
    public init(id: String) {
        self.id = id
    }
}
