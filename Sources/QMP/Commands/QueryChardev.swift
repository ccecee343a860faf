/// Lists the character devices (serial ports, monitors, sockets).
public struct QueryChardev: QMPCommand, Hashable {
    public static let name = "query-chardev"
    public typealias Response = [ChardevInfo]

    public init() {}
}
