/// Lists the character devices (serial ports, monitors, sockets).
public struct QueryChardev: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-chardev"
    /// The reply's type.
    public typealias Response = [ChardevInfo]

    /// The command (it takes no arguments).
    public init() {}
}
