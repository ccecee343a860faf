/// Asks whether the guest runs.
///
/// Returns ``StatusInfo``: `running` and the detailed ``RunState``. Note that a `system_reset` of a paused
/// guest puts it back to ``RunState/prelaunch``, not ``RunState/paused``.
public struct QueryStatus: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-status"
    /// The reply's type.
    public typealias Response = StatusInfo

    /// The command (it takes no arguments).
    public init() {}
}
