/// Where a QMP monitor listens: a Unix socket path, a TCP host and port, or an already-connected descriptor.
///
/// Parsed from the forms the command line uses: `/path.sock`, `unix:/path.sock`, `tcp:HOST:PORT` (IPv6 hosts in
/// brackets: `tcp:[::1]:4444`), `fd:N`, and qmp-shell's `HOST:PORT` shorthand (`localhost:4444`, `[::1]:4444`)
/// for `tcp:HOST:PORT`.
public enum MonitorAddress: Sendable, Hashable, CustomStringConvertible {
    /// A Unix socket at `path`.
    case unix(path: String)
    /// A TCP listener; `host` is a name or an IPv4 or IPv6 address (without brackets).
    case tcp(host: String, port: UInt16)
    /// A connected stream socket (e.g. one end of a `socketpair`) that the connection takes ownership of.
    case fileDescriptor(Int32)

    /// Parses a monitor address; throws ``MonitorAddressError`` naming what is wrong.
    public init(parsing text: String) throws(MonitorAddressError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw MonitorAddressError(text, "a unix: address needs a path") }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp:") {
            let rest = text.dropFirst(4)
            guard let colon = rest.lastIndex(of: ":") else {
                throw MonitorAddressError(text, "a tcp: address is tcp:HOST:PORT")
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty, let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else {
                throw MonitorAddressError(text, "a tcp: address is tcp:HOST:PORT with a port from 1 to 65535")
            }
            self = .tcp(host: host, port: port)
        } else if text.hasPrefix("fd:") {
            guard let fd = Int32(text.dropFirst(3)), fd >= 0 else {
                throw MonitorAddressError(text, "an fd: address is fd:N with a descriptor number")
            }
            self = .fileDescriptor(fd)
        } else if text.isEmpty {
            throw MonitorAddressError(text, "the monitor address is empty")
        } else if let (host, port) = Self.hostAndPort(text) {
            self = .tcp(host: host, port: port)
        } else if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/"),
            text[..<colon].allSatisfy({ $0.isLetter || $0 == "+" })
        {
            throw MonitorAddressError(
                text, "unknown address kind '\(text[..<colon])': use /path.sock, unix:/path, tcp:HOST:PORT or fd:N")
        } else {
            self = .unix(path: text)
        }
    }

    /// `HOST:PORT` with a numeric port and a host without `/` (IPv6 in brackets); `nil` for anything else.
    private static func hostAndPort(_ text: String) -> (String, UInt16)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
            let port = UInt16(portText), port > 0, !host.contains("/")
        else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil
        }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }

    /// The address in the form the parser reads: `unix:PATH`, `tcp:HOST:PORT` (`tcp:[::1]:PORT`) or `fd:N`.
    public var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .tcp(let host, let port): return host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        case .fileDescriptor(let fd): return "fd:\(fd)"
        }
    }
}

/// A monitor address that cannot be parsed.
public struct MonitorAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    /// What is wrong with it.
    public var reason: String

    /// `text` could not be parsed because of `reason`.
    public init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }

    /// `invalid monitor address 'TEXT': REASON`.
    public var description: String { "invalid monitor address '\(text)': \(reason)" }
}
