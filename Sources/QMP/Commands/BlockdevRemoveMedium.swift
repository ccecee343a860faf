/// Takes the medium out of a drive whose tray is open (see ``BlockdevOpenTray``).
///
/// Returns `{}`. Fails when the tray is closed. The medium's node stays around (remove it with
/// ``BlockdevDel`` when it was added with ``BlockdevAdd``). `id` is the device id.
public struct BlockdevRemoveMedium: QMPCommand, Hashable {
    public static let name = "blockdev-remove-medium"
    public typealias Response = QMPEmpty

    /// The device id.
    public var id: String

    public init(id: String) {
        self.id = id
    }
}
