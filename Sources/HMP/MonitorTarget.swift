public import QMP

/// A monitor named on the command line: QMP (`/path.sock`, `unix:/path`, `tcp:HOST:PORT`, `fd:N`) or a direct
/// human monitor (`hmp:/path.sock`, `hmp:unix:/path`, `hmp:tcp:HOST:PORT`).
public enum MonitorTarget: Sendable, Hashable, CustomStringConvertible {
    case qmp(MonitorAddress)
    case hmp(MonitorAddress)

    public init(parsing text: String) throws(MonitorAddressError) {
        if text.hasPrefix("hmp:") {
            let rest = String(text.dropFirst(4))
            guard !rest.isEmpty else { throw MonitorAddressError(text, "an hmp: monitor needs a socket path") }
            self = .hmp(try MonitorAddress(parsing: rest))
        } else {
            self = .qmp(try MonitorAddress(parsing: text))
        }
    }

    public var description: String {
        switch self {
        case .qmp(let address): return address.description
        case .hmp(let address): return "hmp:" + address.description
        }
    }
}
