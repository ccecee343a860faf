/// Asks the guest's balloon driver to bring its memory to `value` bytes.
///
/// Returns `{}` at once: the guest acts later (a `BALLOON_CHANGE` event, ``BalloonChangeEvent``, reports the
/// new size), and a guest with no driver, or a paused one, never does. Fails with `DeviceNotActive` when there
/// is no balloon device.
public struct Balloon: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "balloon"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The target memory size in bytes.
    public var value: Int

    /// Creates a value from its members.
    public init(value: Int) {
        self.value = value
    }
}
