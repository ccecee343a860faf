#if canImport(Glibc)
import Glibc
#endif
import CLibvirtLoader
import QMP
import QMPWire
import Synchronization

/// Plays a QMP server on one end of a socket pair and forwards to a libvirt domain's monitor.
///
/// Libvirt owns the real monitor: it negotiated capabilities and numbers its own commands. So the bridge answers
/// `qmp_capabilities` itself, sends each other request through `virDomainQemuMonitorCommand` without its `id`
/// (libvirt refuses one) and puts the `id` back on the reply, and writes the monitor events libvirt relays
/// (`virConnectDomainQemuMonitorEventRegister`) as QMP event lines. Requests run one at a time, in order, as QEMU
/// runs in-band commands, so a client matching replies first-in first-out stays right.
///
/// Lifetime: ``run()`` (on a thread of its own) serves until the client closes its end, then deregisters and
/// releases the connection. When the domain stops or the libvirt connection closes, the bridge shuts the socket
/// down, so the client fails every pending call instead of waiting.
final class LibvirtBridge: Sendable {
    private let domain: LibvirtDomainHandle
    private let address: LibvirtMonitorAddress
    private let server: SocketConnection
    /// One writer at a time: replies (bridge thread) and events (libvirt's event-loop thread) share the socket.
    private let writeLock = Mutex(())
    private let registrations = Mutex(Registrations())

    private struct Registrations {
        var monitorEvents: Int32 = -1
        var lifecycle: Int32 = -1
        var closeCallback = false
    }

    init(domain: LibvirtDomainHandle, address: LibvirtMonitorAddress, server: SocketConnection) {
        self.domain = domain
        self.address = address
        self.server = server
    }

    private var connection: virConnectPtr { domain.connection.pointer }

    // MARK: - Setting up

    /// Registers for the domain's monitor events, its lifecycle and the connection's close (blocking).
    ///
    /// Libvirt holds only a ``WeakBridge`` for each registration (freed by `releaseReference` once the registration
    /// is gone), never the bridge itself: so the bridge, and with it the libvirt connection, is released on the
    /// bridge's own thread, not inside libvirt's event loop.
    func register() throws(LibvirtError) {
        let monitorID = qk_virConnectDomainQemuMonitorEventRegister(
            connection, domain.pointer, nil,
            { _, _, event, seconds, micros, details, opaque in
                guard let event, let bridge = WeakBridge.bridge(from: opaque) else { return }
                bridge.forwardEvent(
                    name: String(cString: event), seconds: seconds, microseconds: micros,
                    details: details.map { String(cString: $0) })
            },
            WeakBridge.retained(self), releaseReference, 0)
        guard monitorID >= 0 else {
            let failure = LibvirtFailure.last()
            throw LibvirtError(.callFailed, "cannot subscribe to the monitor events of '\(address.domain)': \(oneLine(failure.message))",
                libvirtMessage: failure.message)
        }
        registrations.withLock { $0.monitorEvents = monitorID }

        // Optional: without them the bridge still notices a lost domain or daemon at its next command.
        let lifecycleID = qk_register_lifecycle(
            connection, domain.pointer,
            { _, _, event, _, opaque in
                if UInt32(bitPattern: event) == VIR_DOMAIN_EVENT_STOPPED.rawValue {
                    WeakBridge.bridge(from: opaque)?.server.shutdown()
                }
                return 0
            },
            WeakBridge.retained(self), releaseReference)
        if lifecycleID >= 0 { registrations.withLock { $0.lifecycle = lifecycleID } }
        if qk_virConnectRegisterCloseCallback(connection, connectionClosed, WeakBridge.retained(self), releaseReference) == 0 {
            registrations.withLock { $0.closeCallback = true }
        }
    }

    /// Sends the greeting: the version QEMU reports (through libvirt) and no capabilities (libvirt negotiated).
    func sendGreeting() throws(LibvirtError) {
        let version = try command(["execute": "query-version"])
        guard let versionValue = version["return"] else {
            throw LibvirtError(.callFailed, "the monitor of '\(address.domain)' did not answer query-version: \(JSON.object(version).serialized())")
        }
        write(BridgeProtocol.greeting(version: versionValue))
    }

    // MARK: - Serving

    /// Serves requests until the client leaves or the domain or connection goes away; then cleans up.
    func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        var framer = JSONStreamFramer()
        var state = BridgeProtocol()
        reading: while true {
            let count = (try? server.receive(into: buffer)) ?? 0
            if count == 0 { break }
            framer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            while true {
                let item: JSONStreamFramer.Item?
                do { item = try framer.next() } catch { break reading }
                guard let item else { break }
                switch item {
                case .malformed(let input):
                    write(BridgeProtocol.parseError(input.reason))
                case .object(let request):
                    switch state.handle(request) {
                    case .reply(let reply):
                        write(reply)
                    case .forward(let command, let id):
                        guard let reply = forward(command, id: id) else { break reading }
                        write(reply)
                    }
                }
            }
        }
        server.shutdown()
        deregister()
    }

    /// QEMU's answer to `command`, or `nil` when the domain or connection is gone (the bridge then closes).
    private func forward(_ command: JSONObject, id: JSON?) -> JSON? {
        do {
            return BridgeProtocol.reply(to: try self.command(command), id: id)
        } catch {
            // The domain stopped or the connection broke: end the session so every pending call fails.
            if qk_virConnectIsAlive(connection) != 1 || qk_virDomainIsActive(domain.pointer) != 1 { return nil }
            return BridgeProtocol.error("GenericError", "libvirt: \(error.libvirtMessage.map(oneLine) ?? error.message)", id: id)
        }
    }

    /// Runs one QMP command through libvirt and returns QEMU's answer (blocking).
    private func command(_ request: JSONObject) throws(LibvirtError) -> JSONObject {
        var result: UnsafeMutablePointer<CChar>?
        let status = qk_virDomainQemuMonitorCommand(domain.pointer, JSON.object(request).serialized(), &result, 0)
        guard status == 0, let result else {
            let failure = LibvirtFailure.last()
            throw LibvirtError(.callFailed, "libvirt refused the command: \(oneLine(failure.message))", libvirtMessage: failure.message)
        }
        defer { free(result) }
        let text = String(cString: result)
        guard let object = (try? JSON(parsing: text))?.objectValue else {
            throw LibvirtError(.callFailed, "libvirt returned a reply that is not a JSON object: \(text.prefix(200))")
        }
        return object
    }

    // MARK: - Events and writing

    /// Writes an event libvirt relayed, in QMP's own shape.
    func forwardEvent(name: String, seconds: Int64, microseconds: UInt32, details: String?) {
        write(BridgeProtocol.event(name: name, seconds: seconds, microseconds: Int64(microseconds), details: details) {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return (Int64(now.tv_sec), Int64(now.tv_nsec / 1000))
        })
    }

    private func write(_ message: JSON) {
        var bytes: [UInt8] = []
        message.write(into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        writeLock.withLock { _ in
            // A failed write means the client is gone; the reader sees end of stream and cleans up.
            try? server.send(bytes)
        }
    }

    /// Called from libvirt's close callback: the daemon or the network went away.
    func connectionLost() { server.shutdown() }

    private func deregister() {
        let current = registrations.withLock { value in
            defer { value = Registrations() }
            return value
        }
        if current.monitorEvents >= 0 { _ = qk_virConnectDomainQemuMonitorEventDeregister(connection, current.monitorEvents) }
        if current.lifecycle >= 0 { _ = qk_virConnectDomainEventDeregisterAny(connection, current.lifecycle) }
        if current.closeCallback { _ = qk_virConnectUnregisterCloseCallback(connection, connectionClosed) }
    }
}

/// What libvirt's callbacks hold: a weak reference, so libvirt never owns the bridge.
private final class WeakBridge: Sendable {
    weak let bridge: LibvirtBridge?
    init(_ bridge: LibvirtBridge) { self.bridge = bridge }

    /// A +1 reference for libvirt's `opaque`; `releaseReference` drops it.
    static func retained(_ bridge: LibvirtBridge) -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(WeakBridge(bridge)).toOpaque()
    }

    static func bridge(from opaque: UnsafeMutableRawPointer?) -> LibvirtBridge? {
        guard let opaque else { return nil }
        return Unmanaged<WeakBridge>.fromOpaque(opaque).takeUnretainedValue().bridge
    }
}

/// libvirt's close callback: the connection to the daemon broke.
private func connectionClosed(_ connection: virConnectPtr?, _ reason: Int32, _ opaque: UnsafeMutableRawPointer?) {
    WeakBridge.bridge(from: opaque)?.connectionLost()
}

/// Frees the reference a registration held (libvirt calls it once the registration is gone). A registration that
/// fails keeps its small WeakBridge: freeing it here too could free it twice.
private func releaseReference(_ opaque: UnsafeMutableRawPointer?) {
    guard let opaque else { return }
    Unmanaged<WeakBridge>.fromOpaque(opaque).release()
}
