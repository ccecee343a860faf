/// One command, as `query-commands` lists it.
public struct CommandInfo: Codable, Sendable, Hashable {
    /// The wire name, e.g. `device_add`.
    public var name: String

    /// Creates a value from its members.
    public init(name: String) { self.name = name }
}
