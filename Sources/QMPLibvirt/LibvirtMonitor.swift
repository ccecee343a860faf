public import QMP
import QMPWire

/// Opens the QMP monitor of a libvirt-managed guest, locally or on a remote host, as an ordinary ``QMPClient``.
///
/// Commands go through libvirt (`virDomainQemuMonitorCommand`, on a thread of the connection's own), events through
/// libvirt's monitor-event relay, straight into the client (``LibvirtTransport``: no QMP server in between); the
/// client API, typed commands, waits, schema validation and completion work as on a local socket. Libvirt owns
/// the monitor: it negotiated capabilities and numbers commands, and it marks the domain *tainted*
/// (`custom-monitor`) once a command passes through, because changes made behind its back (hot-plugged devices,
/// swapped media) are not in its view of the guest. Out-of-band execution and file-descriptor passing are not
/// available this way.
///
/// ```swift
/// let client = try await LibvirtMonitor.connect("libvirt+qemu+ssh://host/system#web1")
/// let status = try await client.execute(QueryStatus())
/// await client.close()
/// ```
public enum LibvirtMonitor {
    /// Connects to the domain named by `monitor` (`libvirt:DOMAIN` or `libvirt+URI#DOMAIN`).
    ///
    /// Throws ``LibvirtError`` when the daemon cannot be reached, the domain does not exist or is shut off, or the
    /// user may not connect — each with a one-line message that says what to do. When the domain stops or the
    /// connection breaks later, the client closes and its pending calls fail with `QMPConnectionError`.
    /// `configuration.greetingTimeout` bounds the whole connect (opening libvirt's connection, e.g. over ssh,
    /// included); an unreachable host fails with code `connectionFailed` when it passes.
    ///
    /// Events reach the client through libvirt's relay, apart from replies: an event a command caused (STOP after
    /// `stop`) can arrive just after that command's reply. Waits that count events since the last command
    /// (`waitForEvent`'s default) see it either way.
    /// Matches `MonitorConnector.Opener`, so `MonitorConnector.standard.adding(scheme: "libvirt", LibvirtMonitor.connect)`
    /// makes every monitor option accept libvirt guests.
    public static func connect(_ monitor: String, configuration: QMPClient.Configuration = .init()) async throws -> QMPClient {
        let address = try LibvirtMonitorAddress(parsing: monitor)
        return try await connect(to: address, configuration: configuration)
    }

    /// Connects to the domain at `address`. See ``connect(_:configuration:)``.
    public static func connect(to address: LibvirtMonitorAddress, configuration: QMPClient.Configuration = .init())
        async throws -> QMPClient
    {
        let timeout = configuration.greetingTimeout
        // A connect that succeeds after the time limit passed is dropped: the transport, never started, deregisters
        // in its deinit and releases libvirt's connection.
        let transport = try await onOwnThread(
            timeout: timeout,
            timeoutError: {
                LibvirtError(.connectionFailed, "no answer from libvirt at \(address.uri) within \(timeout) (is the host reachable?)")
            }
        ) { () throws -> LibvirtTransport in
            let connection = try LibvirtConnection.open(address.uri, isLocal: address.isLocal)
            let domain = try LibvirtDomainHandle.lookUp(address.domain, on: connection, address: address)
            try domain.requireActive(address)
            let transport = LibvirtTransport(domain: domain, address: address)
            try transport.prepare()
            return transport
        }
        return try await QMPClient.connect(using: transport, configuration: configuration)
    }
}
