/// Asks whether KVM is available and in use.
///
/// Returns ``KVMInfo``. `present` only says the binary supports KVM; `enabled` is false under TCG, and a
/// `true` does not promise a guest kernel boots under KVM on every host.
public struct QueryKVM: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-kvm"
    /// The reply's type.
    public typealias Response = KVMInfo

    /// The command (it takes no arguments).
    public init() {}
}
