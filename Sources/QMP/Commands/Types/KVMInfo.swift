/// What `query-kvm` returns.
public struct KVMInfo: Codable, Sendable, Hashable {
    /// Whether this QEMU uses KVM (false under TCG even where KVM exists).
    public var enabled: Bool
    /// Whether this QEMU binary supports KVM at all.
    public var present: Bool

    /// Creates a value from its members.
    public init(enabled: Bool, present: Bool) {
        self.enabled = enabled
        self.present = present
    }
}
