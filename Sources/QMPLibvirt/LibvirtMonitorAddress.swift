/// A libvirt-managed guest's monitor, as named on the command line.
///
/// Two forms:
/// - `libvirt:DOMAIN` — the domain on the local system daemon (`qemu:///system`);
/// - `libvirt+URI#DOMAIN` — the domain on the libvirt connection `URI`, e.g.
///   `libvirt+qemu+ssh://host/system#web1` or `libvirt+qemu:///session#dev`.
///
/// ```swift
/// let address = try LibvirtMonitorAddress(parsing: "libvirt+qemu+ssh://host/system#web1")
/// // address.uri == "qemu+ssh://host/system", address.domain == "web1"
/// ```
public struct LibvirtMonitorAddress: Sendable, Hashable, CustomStringConvertible {
    /// The URI used when the monitor string gives none.
    public static let defaultURI = "qemu:///system"

    /// The libvirt connection URI.
    public var uri: String
    /// The domain's name (or UUID).
    public var domain: String

    /// An address from its parts.
    public init(uri: String = LibvirtMonitorAddress.defaultURI, domain: String) {
        self.uri = uri
        self.domain = domain
    }

    /// Parses `libvirt:DOMAIN` or `libvirt+URI#DOMAIN`. Throws ``LibvirtError`` (code `invalidAddress`) with a
    /// message that names what is wrong.
    public init(parsing text: String) throws(LibvirtError) {
        if text.hasPrefix("libvirt:") {
            let domain = String(text.dropFirst("libvirt:".count))
            guard !domain.isEmpty else {
                throw LibvirtError(.invalidAddress, "'\(text)' names no domain: write libvirt:DOMAIN (e.g. libvirt:web1)")
            }
            guard !domain.contains("#") && !domain.contains("/") else {
                throw LibvirtError(
                    .invalidAddress,
                    "'\(text)' is not a domain name; for another host write libvirt+URI#DOMAIN (e.g. libvirt+qemu+ssh://host/system#web1)")
            }
            self.init(domain: domain)
        } else if text.hasPrefix("libvirt+") {
            let rest = text.dropFirst("libvirt+".count)
            guard let hash = rest.lastIndex(of: "#") else {
                throw LibvirtError(
                    .invalidAddress, "'\(text)' has no '#DOMAIN' after the URI (e.g. libvirt+qemu+ssh://host/system#web1)")
            }
            let uri = String(rest[..<hash])
            let domain = String(rest[rest.index(after: hash)...])
            guard uri.contains(":/") else {
                throw LibvirtError(
                    .invalidAddress, "'\(uri)' is not a libvirt URI (like qemu:///system or qemu+ssh://host/system)")
            }
            guard !domain.isEmpty else {
                throw LibvirtError(.invalidAddress, "'\(text)' names no domain after '#'")
            }
            self.init(uri: uri, domain: domain)
        } else {
            throw LibvirtError(
                .invalidAddress, "'\(text)' is not a libvirt monitor: write libvirt:DOMAIN or libvirt+URI#DOMAIN")
        }
    }

    /// Whether a monitor string is meant for libvirt (starts with `libvirt:` or `libvirt+`), well formed or not.
    public static func isLibvirt(_ text: String) -> Bool {
        text.hasPrefix("libvirt:") || text.hasPrefix("libvirt+")
    }

    /// Whether the URI names the local machine (no host part), so an unreachable daemon means it is not running.
    public var isLocal: Bool {
        guard let range = uri.firstRange(of: "://") else { return true }
        let afterScheme = uri[range.upperBound...]
        return afterScheme.hasPrefix("/")
    }

    /// The canonical monitor string (`libvirt:DOMAIN` for the default URI).
    public var description: String {
        uri == Self.defaultURI ? "libvirt:\(domain)" : "libvirt+\(uri)#\(domain)"
    }
}
