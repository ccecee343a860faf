/// What `query-balloon` returns.
public struct BalloonInfo: Codable, Sendable, Hashable {
    /// The guest's memory size in bytes as the balloon driver last reported it (all RAM, DIMMs included,
    /// until a guest driver has acted on a `balloon` request).
    public var actual: Int

    /// Creates a value from its members.
    public init(actual: Int) { self.actual = actual }
}
