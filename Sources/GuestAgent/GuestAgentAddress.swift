public import QMPWire

/// Where a guest agent is reached: `qga:PATH` (also `qga:unix:PATH`), `qga:tcp:HOST:PORT`, or through libvirt,
/// `libvirt+qga:DOMAIN` (the local `qemu:///system`) or `libvirt+qga+URI#DOMAIN`.
public enum GuestAgentAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host side of the agent's virtio-serial port, a socket.
    case socket(MonitorAddress)
    /// A guest libvirt runs; libvirt relays the commands (`virDomainQemuAgentCommand`) and synchronises itself.
    case libvirt(uri: String?, domain: String)

    /// Whether `text` names an agent rather than a monitor.
    public static func isAgent(_ text: String) -> Bool {
        text.hasPrefix("qga:") || text.hasPrefix("libvirt+qga:") || text.hasPrefix("libvirt+qga+")
    }

    /// Parses an agent address; throws naming what is wrong.
    public init(parsing text: String) throws(MonitorAddressError) {
        if text.hasPrefix("qga:") {
            let rest = String(text.dropFirst(4))
            guard !rest.isEmpty else { throw MonitorAddressError(text, "a qga: address needs a socket path or tcp:HOST:PORT") }
            self = .socket(try MonitorAddress(parsing: rest))
        } else if text.hasPrefix("libvirt+qga:") {
            let domain = String(text.dropFirst("libvirt+qga:".count))
            guard !domain.isEmpty else { throw MonitorAddressError(text, "libvirt+qga: needs a domain name") }
            self = .libvirt(uri: nil, domain: domain)
        } else if text.hasPrefix("libvirt+qga+") {
            let rest = text.dropFirst("libvirt+qga+".count)
            guard let hash = rest.lastIndex(of: "#"), hash != rest.startIndex, rest.index(after: hash) != rest.endIndex else {
                throw MonitorAddressError(text, "a libvirt agent on another host is libvirt+qga+URI#DOMAIN")
            }
            self = .libvirt(uri: String(rest[..<hash]), domain: String(rest[rest.index(after: hash)...]))
        } else {
            throw MonitorAddressError(text, "a guest agent is qga:PATH, qga:tcp:HOST:PORT or libvirt+qga:DOMAIN")
        }
    }

    /// The address in the form the parser reads: `qga:PATH`, `qga:tcp:HOST:PORT`, `libvirt+qga:DOMAIN` or
    /// `libvirt+qga+URI#DOMAIN`.
    public var description: String {
        switch self {
        case .socket(.unix(let path)): return "qga:\(path)"
        case .socket(let address): return "qga:\(address)"
        case .libvirt(nil, let domain): return "libvirt+qga:\(domain)"
        case .libvirt(let uri?, let domain): return "libvirt+qga+\(uri)#\(domain)"
        }
    }
}

/// Opens agent connections from their addresses. Libvirt support is plugged in by the libvirt module
/// (`QMPLibvirt`), so this module never links libvirt.
public struct GuestAgentConnector: Sendable {
    /// Opens a libvirt relay for `domain` at `uri` (nil: the local system URI).
    public typealias LibvirtOpener = @Sendable (_ uri: String?, _ domain: String, _ timeout: Duration) async throws
        -> any GuestAgentConnection

    /// How `libvirt+qga:` addresses are opened; nil: they are refused with a clear error.
    public var libvirt: LibvirtOpener?

    /// A connector; without `libvirt`, `libvirt+qga:` addresses are refused.
    public init(libvirt: LibvirtOpener? = nil) {
        self.libvirt = libvirt
    }

    /// Connects to the agent at `text` and, for a socket, synchronises within `timeout`.
    public func connect(_ text: String, timeout: Duration) async throws -> any GuestAgentConnection {
        try await connect(try GuestAgentAddress(parsing: text), timeout: timeout)
    }

    /// Connects to the agent at `address` and, for a socket, synchronises within `timeout`.
    public func connect(_ address: GuestAgentAddress, timeout: Duration) async throws -> any GuestAgentConnection {
        var configuration = GuestAgentClient.Configuration()
        configuration.defaultTimeout = timeout
        return try await connect(address, configuration: configuration)
    }

    /// Connects to the agent at `text` with `configuration` (see ``connect(_:configuration:)-(GuestAgentAddress,_)``).
    public func connect(_ text: String, configuration: GuestAgentClient.Configuration) async throws
        -> any GuestAgentConnection
    {
        try await connect(try GuestAgentAddress(parsing: text), configuration: configuration)
    }

    /// Connects to the agent at `address`: a socket with `configuration` (its `defaultTimeout` bounds the connect
    /// and the synchronisation, and each call that gives no limit), a libvirt relay within
    /// `configuration.defaultTimeout`. The configuration's observer and logger see the traffic either way; libvirt
    /// synchronises itself and adds ids, so for a relay they see each command and its answer as
    /// `{"execute": ..., "arguments": ...}` and `{"return": ...}` or `{"error": ...}`.
    public func connect(_ address: GuestAgentAddress, configuration: GuestAgentClient.Configuration) async throws
        -> any GuestAgentConnection
    {
        switch address {
        case .socket(let socket):
            return try await GuestAgentClient.connect(to: socket, configuration: configuration)
        case .libvirt(let uri, let domain):
            guard let libvirt else {
                throw MonitorAddressError(address.description, "libvirt guest agents are not available in this program")
            }
            let relay = try await libvirt(uri, domain, configuration.defaultTimeout)
            return ObservedAgentConnection.wrapping(relay, configuration: configuration)
        }
    }
}
