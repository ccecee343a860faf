/// What `query-name` returns: the guest name given with `-name`.
public struct NameInfo: Codable, Sendable, Hashable {
    /// The name; `nil` when QEMU was started without `-name` (the reply is then `{}`).
    public var name: String?

    /// Creates a value from its members.
    public init(name: String? = nil) { self.name = name }
}
