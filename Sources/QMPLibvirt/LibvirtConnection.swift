import CLibvirtLoader

/// An open libvirt connection (`virConnectPtr`), closed when released.
///
/// `@unchecked Sendable`: libvirt connection objects are thread-safe (libvirt serialises calls on one connection
/// internally and documents connections as usable from many threads), and the pointer itself never changes.
final class LibvirtConnection: @unchecked Sendable {
    let pointer: virConnectPtr
    let uri: String

    private init(pointer: virConnectPtr, uri: String) {
        self.pointer = pointer
        self.uri = uri
    }

    deinit { _ = qk_virConnectClose(pointer) }

    /// Opens `uri` (blocking). Failures become one-line ``LibvirtError``s that say what to do.
    static func open(_ uri: String, isLocal: Bool) throws(LibvirtError) -> LibvirtConnection {
        try LibvirtEventLoop.start()
        guard let pointer = qk_virConnectOpen(uri) else {
            throw openError(uri: uri, isLocal: isLocal, failure: .last())
        }
        // Keep-alive probes notice a lost remote host or daemon (the close callback then fires). Only for remote
        // URIs: libvirt restarts the keep-alive timer on every message it receives, and each restart wakes its
        // event-loop thread (three more wake-ups a command, about 60 µs on two cores: LibvirtCostTests). A local
        // daemon that goes away closes the socket, which fires the close callback without probes.
        if !isLocal { _ = qk_virConnectSetKeepAlive(pointer, 5, 3) }
        return LibvirtConnection(pointer: pointer, uri: uri)
    }

    static func openError(uri: String, isLocal: Bool, failure: LibvirtFailure) -> LibvirtError {
        let text = failure.message
        let lower = text.lowercased()
        if lower.contains("permission denied") || failure.is(VIR_ERR_AUTH_FAILED) || failure.is(VIR_ERR_AUTH_CANCELLED)
            || failure.is(VIR_ERR_ACCESS_DENIED) || failure.is(VIR_ERR_AUTH_UNAVAILABLE) || lower.contains("system bus")
            || lower.contains("polkit")
        {
            return LibvirtError(
                .permissionDenied,
                "permission denied on the libvirt socket for \(uri): run as root or join the libvirt group (libvirt: \(oneLine(text)))",
                libvirtMessage: text)
        }
        if isLocal && (lower.contains("no such file or directory") || lower.contains("connection refused")) {
            return LibvirtError(
                .daemonNotRunning,
                "libvirtd is not running (nothing answers for \(uri)): start it with `virtlogd -d; libvirtd -d` as root, or run scripts/libvirt-setup.sh",
                libvirtMessage: text)
        }
        return LibvirtError(.connectionFailed, "cannot connect to \(uri): \(oneLine(text))", libvirtMessage: text)
    }
}

/// A domain handle (`virDomainPtr`), freed when released.
///
/// `@unchecked Sendable`: libvirt domain objects are reference-counted and thread-safe like their connection;
/// the pointer never changes.
final class LibvirtDomainHandle: @unchecked Sendable {
    let pointer: virDomainPtr
    /// Keeps the connection open while the domain is in use.
    let connection: LibvirtConnection

    init(pointer: virDomainPtr, connection: LibvirtConnection) {
        self.pointer = pointer
        self.connection = connection
    }

    deinit { _ = qk_virDomainFree(pointer) }

    /// Looks a domain up by name, or by UUID when no name matches (blocking).
    static func lookUp(_ name: String, on connection: LibvirtConnection, address: LibvirtMonitorAddress) throws(LibvirtError)
        -> LibvirtDomainHandle
    {
        if let pointer = qk_virDomainLookupByName(connection.pointer, name) {
            return LibvirtDomainHandle(pointer: pointer, connection: connection)
        }
        let failure = LibvirtFailure.last()
        if failure.is(VIR_ERR_NO_DOMAIN), name.count == 36, let pointer = qk_virDomainLookupByUUIDString(connection.pointer, name) {
            return LibvirtDomainHandle(pointer: pointer, connection: connection)
        }
        if failure.is(VIR_ERR_NO_DOMAIN) {
            let list = address.uri == LibvirtMonitorAddress.defaultURI ? "qmpsh domains" : "qmpsh domains --connect \(shellQuoted(address.uri))"
            throw LibvirtError(
                .domainNotFound, "domain '\(name)' not found on \(address.uri) (\(list) lists them)",
                libvirtMessage: failure.message)
        }
        throw LibvirtError(.callFailed, "cannot look up domain '\(name)' on \(address.uri): \(oneLine(failure.message))",
            libvirtMessage: failure.message)
    }

    /// The domain's state (blocking).
    func state() throws(LibvirtError) -> LibvirtDomain.State {
        var state: Int32 = 0
        var reason: Int32 = 0
        guard qk_virDomainGetState(pointer, &state, &reason, 0) == 0 else {
            let failure = LibvirtFailure.last()
            throw LibvirtError(.callFailed, "cannot read the domain's state: \(oneLine(failure.message))", libvirtMessage: failure.message)
        }
        return LibvirtDomain.State(libvirtState: state)
    }

    /// Fails when the domain is shut off (no QEMU runs for it).
    func requireActive(_ address: LibvirtMonitorAddress) throws(LibvirtError) {
        let state = try state()
        switch state {
        case .shutOff:
            let virsh = address.uri == LibvirtMonitorAddress.defaultURI ? "virsh" : "virsh -c \(shellQuoted(address.uri))"
            throw LibvirtError(
                .domainNotRunning, "domain '\(address.domain)' is \(state.rawValue): start it with \(virsh) start \(address.domain)")
        default:
            return
        }
    }
}

/// The first line of libvirt's message (some span lines).
func oneLine(_ text: String) -> String {
    String(text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
}

/// `text` as one shell word (single-quoted when it holds characters a shell treats specially), for hints that
/// show a command to run.
func shellQuoted(_ text: String) -> String {
    let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@+=,".contains($0) }
    if plain { return text }
    var quoted = "'"
    for character in text {
        if character == "'" { quoted += "'\\''" } else { quoted.append(character) }
    }
    return quoted + "'"
}
