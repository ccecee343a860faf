/// Asks for the guest's memory size as the balloon sees it.
///
/// Returns ``BalloonInfo``. Fails with `DeviceNotActive` when there is no balloon device.
public struct QueryBalloon: QMPCommand, Hashable {
    public static let name = "query-balloon"
    public typealias Response = BalloonInfo

    public init() {}
}
