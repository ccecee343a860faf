/// Asks whether the guest runs.
///
/// Returns ``StatusInfo``: `running` and the detailed ``RunState``. Note that a `system_reset` of a paused
/// guest puts it back to ``RunState/prelaunch``, not ``RunState/paused``.
public struct QueryStatus: QMPCommand, Hashable {
    public static let name = "query-status"
    public typealias Response = StatusInfo

    public init() {}
}
