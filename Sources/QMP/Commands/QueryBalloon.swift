/// Asks for the guest's memory size as the balloon sees it.
///
/// Returns ``BalloonInfo``. Fails with `DeviceNotActive` when there is no balloon device.
public struct QueryBalloon: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-balloon"
    /// The reply's type.
    public typealias Response = BalloonInfo

    /// The command (it takes no arguments).
    public init() {}
}
