#if canImport(Glibc)
import Glibc
#endif
import CLibvirtLoader

/// One domain as libvirt lists it.
public struct LibvirtDomain: Sendable, Hashable {
    /// A domain's state, named as `virsh list` names it.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// libvirt reports no state (`VIR_DOMAIN_NOSTATE`, or a state this version does not know).
        case noState = "no state"
        /// QEMU runs the guest's CPUs (`VIR_DOMAIN_RUNNING`).
        case running
        /// The guest waits on a resource (`VIR_DOMAIN_BLOCKED`); `virsh` prints it as "idle".
        case blocked = "idle"
        /// The guest's CPUs are stopped, by a user or by libvirt (`VIR_DOMAIN_PAUSED`); QEMU still runs.
        case paused
        /// The guest is shutting down (`VIR_DOMAIN_SHUTDOWN`); QEMU still runs.
        case shuttingDown = "in shutdown"
        /// No QEMU runs for the domain (`VIR_DOMAIN_SHUTOFF`): there is no monitor to reach.
        case shutOff = "shut off"
        /// The guest crashed (`VIR_DOMAIN_CRASHED`).
        case crashed
        /// The guest is suspended by power management, to RAM or disk (`VIR_DOMAIN_PMSUSPENDED`).
        case suspended = "pmsuspended"

        init(libvirtState: Int32) {
            switch UInt32(bitPattern: libvirtState) {
            case VIR_DOMAIN_RUNNING.rawValue: self = .running
            case VIR_DOMAIN_BLOCKED.rawValue: self = .blocked
            case VIR_DOMAIN_PAUSED.rawValue: self = .paused
            case VIR_DOMAIN_SHUTDOWN.rawValue: self = .shuttingDown
            case VIR_DOMAIN_SHUTOFF.rawValue: self = .shutOff
            case VIR_DOMAIN_CRASHED.rawValue: self = .crashed
            case VIR_DOMAIN_PMSUSPENDED.rawValue: self = .suspended
            default: self = .noState
            }
        }

        /// Whether QEMU runs for the domain, so its monitor can be reached.
        public var hasMonitor: Bool { self != .shutOff && self != .noState }
    }

    /// The domain's name.
    public var name: String
    /// The running domain's id; `nil` when it is shut off.
    public var id: Int?
    /// The domain's state.
    public var state: State
    /// Whether the domain is defined (persistent) or exists only while it runs (transient).
    public var persistent: Bool

    /// A domain from its parts.
    public init(name: String, id: Int?, state: State, persistent: Bool) {
        self.name = name
        self.id = id
        self.state = state
        self.persistent = persistent
    }
}

/// Lists the domains of a libvirt connection.
///
/// ```swift
/// for domain in try await LibvirtDomains.list(uri: "qemu+ssh://host/system") {
///     print(domain.name, domain.state.rawValue)
/// }
/// ```
public enum LibvirtDomains {
    /// All domains on `uri` (running and defined), sorted running first, then by name. Throws ``LibvirtError``
    /// (code `connectionFailed` when libvirt has not answered within `timeout`).
    public static func list(uri: String = LibvirtMonitorAddress.defaultURI, timeout: Duration = .seconds(30))
        async throws -> [LibvirtDomain]
    {
        let address = LibvirtMonitorAddress(uri: uri, domain: "")
        return try await onOwnThread(
            timeout: timeout,
            timeoutError: { LibvirtError(.connectionFailed, "no answer from libvirt at \(uri) within \(timeout) (is the host reachable?)") }
        ) { () throws -> [LibvirtDomain] in
            let connection = try LibvirtConnection.open(uri, isLocal: address.isLocal)
            var domains: UnsafeMutablePointer<virDomainPtr?>?
            let count = qk_virConnectListAllDomains(connection.pointer, &domains, 0)
            guard count >= 0, let domains else {
                let failure = LibvirtFailure.last()
                throw LibvirtError(.callFailed, "cannot list the domains on \(uri): \(oneLine(failure.message))",
                    libvirtMessage: failure.message)
            }
            defer { free(domains) }
            var result: [LibvirtDomain] = []
            for index in 0..<Int(count) {
                guard let pointer = domains[index] else { continue }
                let handle = LibvirtDomainHandle(pointer: pointer, connection: connection)
                let name = qk_virDomainGetName(pointer).map { String(cString: $0) } ?? "?"
                let state = (try? handle.state()) ?? .noState
                let id = qk_virDomainGetID(pointer)
                result.append(LibvirtDomain(
                    name: name, id: id == UInt32.max ? nil : Int(id), state: state,
                    persistent: qk_virDomainIsPersistent(pointer) == 1))
            }
            return result.sorted { ($0.id == nil ? 1 : 0, $0.name) < ($1.id == nil ? 1 : 0, $1.name) }
        }
    }
}
