/// One character device, as `query-chardev` lists it.
public struct ChardevInfo: Codable, Sendable, Hashable {
    /// The chardev id, e.g. `compat_monitor0` for `-qmp`.
    public var label: String
    /// QEMU's description of the backend, e.g. `unix:/tmp/qmp.sock,server=on`.
    public var filename: String
    /// Whether a front end (device or monitor) has it open.
    public var frontendOpen: Bool

    /// Creates a value from its members.
    public init(label: String, filename: String, frontendOpen: Bool) {
        self.label = label
        self.filename = filename
        self.frontendOpen = frontendOpen
    }

    enum CodingKeys: String, CodingKey {
        case label, filename
        case frontendOpen = "frontend-open"
    }
}
