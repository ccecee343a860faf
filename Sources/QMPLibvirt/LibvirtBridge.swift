#if canImport(Glibc)
import Glibc
#endif
import CLibvirt
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
    func register() throws(LibvirtError) {
        let monitorID = virConnectDomainQemuMonitorEventRegister(
            connection, domain.pointer, nil,
            { _, _, event, seconds, micros, details, opaque in
                guard let opaque, let event else { return }
                let bridge = Unmanaged<LibvirtBridge>.fromOpaque(opaque).takeUnretainedValue()
                bridge.forwardEvent(
                    name: String(cString: event), seconds: seconds, microseconds: micros,
                    details: details.map { String(cString: $0) })
            },
            Unmanaged.passRetained(self).toOpaque(), releaseBridge, 0)
        guard monitorID >= 0 else {
            Unmanaged.passUnretained(self).release()
            let failure = LibvirtFailure.last()
            throw LibvirtError(.callFailed, "cannot subscribe to the monitor events of '\(address.domain)': \(oneLine(failure.message))",
                libvirtMessage: failure.message)
        }
        registrations.withLock { $0.monitorEvents = monitorID }

        let lifecycleID = qmpkit_register_lifecycle(
            connection, domain.pointer,
            { _, _, event, _, opaque in
                guard let opaque else { return 0 }
                if UInt32(bitPattern: event) == VIR_DOMAIN_EVENT_STOPPED.rawValue {
                    Unmanaged<LibvirtBridge>.fromOpaque(opaque).takeUnretainedValue().server.shutdown()
                }
                return 0
            },
            Unmanaged.passRetained(self).toOpaque(), releaseBridge)
        if lifecycleID >= 0 {
            registrations.withLock { $0.lifecycle = lifecycleID }
        } else {
            Unmanaged.passUnretained(self).release()
        }

        if virConnectRegisterCloseCallback(connection, connectionClosed, Unmanaged.passRetained(self).toOpaque(), releaseBridge) == 0 {
            registrations.withLock { $0.closeCallback = true }
        } else {
            Unmanaged.passUnretained(self).release()
        }
    }

    /// Sends the greeting: the version QEMU reports (through libvirt) and no capabilities (libvirt negotiated).
    func sendGreeting() throws(LibvirtError) {
        let version = try command(["execute": "query-version"])
        guard let versionValue = version["return"] else {
            throw LibvirtError(.callFailed, "the monitor of '\(address.domain)' did not answer query-version: \(JSON.object(version).serialized())")
        }
        write(["QMP": ["version": versionValue, "capabilities": .array([])]])
    }

    // MARK: - Serving

    /// Serves requests until the client leaves or the domain or connection goes away; then cleans up.
    func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        var framer = JSONStreamFramer()
        var negotiated = false
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
                    write(Self.error("GenericError", "JSON parse error, \(input.reason)", id: nil))
                case .object(let request):
                    guard let reply = handle(request, negotiated: &negotiated) else { break reading }
                    write(reply)
                }
            }
        }
        server.shutdown()
        deregister()
    }

    /// The reply to one request, or `nil` when the domain or connection is gone (the bridge then closes).
    private func handle(_ request: JSONObject, negotiated: inout Bool) -> JSON? {
        let id = request["id"]
        if request["exec-oob"] != nil {
            return Self.error("GenericError", "out-of-band execution is not available through libvirt", id: id)
        }
        guard let name = request["execute"]?.stringValue else {
            return Self.error("GenericError", "QMP input lacks member 'execute'", id: id)
        }
        if name == "qmp_capabilities" {
            if negotiated {
                return Self.error("CommandNotFound", "Capabilities negotiation is already complete, command ignored", id: id)
            }
            negotiated = true
            return Self.reply(["return": .object([:])], id: id)
        }
        guard negotiated else {
            return Self.error("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'", id: id)
        }
        var forwarded = request
        forwarded["id"] = nil
        do {
            let answer = try command(forwarded)
            return Self.reply(answer, id: id)
        } catch {
            // The domain stopped or the connection broke: end the session so every pending call fails.
            if virConnectIsAlive(connection) != 1 || virDomainIsActive(domain.pointer) != 1 { return nil }
            return Self.error("GenericError", "libvirt: \(error.libvirtMessage.map(oneLine) ?? error.message)", id: id)
        }
    }

    /// Runs one QMP command through libvirt and returns QEMU's answer (blocking).
    private func command(_ request: JSONObject) throws(LibvirtError) -> JSONObject {
        var result: UnsafeMutablePointer<CChar>?
        let status = virDomainQemuMonitorCommand(domain.pointer, JSON.object(request).serialized(), &result, 0)
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

    /// QEMU's answer with libvirt's id replaced by the client's (or none).
    private static func reply(_ answer: JSONObject, id: JSON?) -> JSON {
        var reply = answer
        reply["id"] = nil
        if let id { reply["id"] = id }
        return .object(reply)
    }

    private static func error(_ errorClass: String, _ description: String, id: JSON?) -> JSON {
        var reply: JSONObject = ["error": ["class": .string(errorClass), "desc": .string(description)]]
        if let id { reply["id"] = id }
        return .object(reply)
    }

    // MARK: - Events and writing

    /// Writes an event libvirt relayed, in QMP's own shape.
    func forwardEvent(name: String, seconds: Int64, microseconds: UInt32, details: String?) {
        var event: JSONObject = ["event": .string(name)]
        if let details, let data = try? JSON(parsing: details) { event["data"] = data }
        var seconds = seconds
        var micros = Int64(microseconds)
        if seconds < 0 {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            seconds = Int64(now.tv_sec)
            micros = Int64(now.tv_nsec / 1000)
        }
        event["timestamp"] = ["seconds": .int(seconds), "microseconds": .int(micros)]
        write(.object(event))
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
        if current.monitorEvents >= 0 { _ = virConnectDomainQemuMonitorEventDeregister(connection, current.monitorEvents) }
        if current.lifecycle >= 0 { _ = virConnectDomainEventDeregisterAny(connection, current.lifecycle) }
        if current.closeCallback { _ = virConnectUnregisterCloseCallback(connection, connectionClosed) }
    }
}

/// libvirt's close callback: the connection to the daemon broke.
private func connectionClosed(_ connection: virConnectPtr?, _ reason: Int32, _ opaque: UnsafeMutableRawPointer?) {
    guard let opaque else { return }
    Unmanaged<LibvirtBridge>.fromOpaque(opaque).takeUnretainedValue().connectionLost()
}

/// Releases the reference a registration held (libvirt calls it once the registration is gone).
private func releaseBridge(_ opaque: UnsafeMutableRawPointer?) {
    guard let opaque else { return }
    Unmanaged<LibvirtBridge>.fromOpaque(opaque).release()
}
