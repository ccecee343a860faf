public import QMP

/// A monitor named on the command line: QMP (`/path.sock`, `unix:/path`, `tcp:HOST:PORT`, `fd:N`) or a direct
/// human monitor (`hmp:/path.sock`, `hmp:unix:/path`, `hmp:tcp:HOST:PORT`).
public enum MonitorTarget: Sendable, Hashable, CustomStringConvertible {
    /// A QMP monitor at this address.
    case qmp(MonitorAddress)
    /// A direct human monitor (`-monitor unix:...`) at this address, written `hmp:ADDRESS`.
    case hmp(MonitorAddress)

    /// Reads a monitor as the command line names it: `hmp:` then an address for a human monitor, any other
    /// address for QMP. Throws `MonitorAddressError` for an empty `hmp:` or an address `MonitorAddress` cannot parse.
    public init(parsing text: String) throws(MonitorAddressError) {
        if text.hasPrefix("hmp:") {
            let rest = String(text.dropFirst(4))
            guard !rest.isEmpty else { throw MonitorAddressError(text, "an hmp: monitor needs a socket path") }
            self = .hmp(try MonitorAddress(parsing: rest))
        } else {
            self = .qmp(try MonitorAddress(parsing: text))
        }
    }

    /// The text `init(parsing:)` reads back: the address, with `hmp:` in front for a human monitor.
    public var description: String {
        switch self {
        case .qmp(let address): return address.description
        case .hmp(let address): return "hmp:" + address.description
        }
    }
}
