/// Asks the guest's balloon driver to bring its memory to `value` bytes.
///
/// Returns `{}` at once: the guest acts later (a `BALLOON_CHANGE` event, ``BalloonChangeEvent``, reports the
/// new size), and a guest with no driver, or a paused one, never does. Fails with `DeviceNotActive` when there
/// is no balloon device.
public struct Balloon: QMPCommand, Hashable {
    public static let name = "balloon"
    public typealias Response = QMPEmpty

    /// The target memory size in bytes.
    public var value: Int

    public init(value: Int) {
        self.value = value
    }
}
