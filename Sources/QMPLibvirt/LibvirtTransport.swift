#if canImport(Glibc)
import Glibc
#endif
import CLibvirtLoader
import QMP
import QMPWire
import Synchronization

/// A ``MessageTransport`` to a libvirt domain's QMP monitor, with no socket of its own.
///
/// Each request becomes one `virDomainQemuMonitorCommand` call, and each monitor event libvirt relays
/// (`virConnectDomainQemuMonitorEventRegister`) an incoming event message. Libvirt owns the monitor: it negotiated
/// capabilities, so the greeting is made up from `query-version` (``suppliedGreeting``), and it numbers its own
/// commands, so requests go without an `id` and get the client's back on the reply (``LibvirtRequests``). On the hot
/// path nothing is parsed twice: a request in the client's own encoding goes to libvirt as written, less its `id`
/// (``LibvirtRequests/forwardable(_:into:)``), and only the `return` or `error` value of libvirt's reply is parsed
/// (``LibvirtRequests/reply(parsing:id:)``).
///
/// Threads: `virDomainQemuMonitorCommand` blocks, so one worker thread of the transport makes every call, never a
/// caller's thread. The same thread delivers everything to the client, replies and events alike, so deliveries
/// never overlap and keep their order; libvirt's event-loop thread only queues an event and wakes it. The worker is
/// also a task executor (``executor``): inside `QMPClient.withAffinity` the reply resumes the caller on the worker,
/// which sends the next request and makes the next libvirt call without a thread switch. `send` takes one request at
/// a time (it answers ``TransportSendResult/busy`` until the call returns), so requests whose callers give up while
/// waiting are withdrawn from the client's queue unsent.
///
/// When the domain stops or libvirt's connection closes, the transport closes at once: the call in flight and
/// every queued one fail together.
final class LibvirtTransport: MessageTransport {
    private struct State {
        var receiver: (any TransportReceiver)?
        /// The request the worker is to send next.
        var request: OutboundMessage?
        /// Events libvirt relayed, not yet delivered.
        var events: [JSONObject] = []
        /// Why the connection is over, once it is.
        var closing: QMPConnectionError?
    }

    private let domain: LibvirtDomainHandle
    private let address: LibvirtMonitorAddress
    private let io = IOExecutor()
    private let state = Mutex(State())
    private let registrations = Mutex(Registrations())
    /// The greeting made up from `query-version` (set once while connecting, before ``start(_:)``).
    private let greeting = Mutex<JSONObject?>(nil)

    private struct Registrations {
        var monitorEvents: Int32 = -1
        var lifecycle: Int32 = -1
        var closeCallback = false
    }

    init(domain: LibvirtDomainHandle, address: LibvirtMonitorAddress) {
        self.domain = domain
        self.address = address
    }

    var suppliedGreeting: JSONObject? { greeting.withLock { $0 } }
    var executor: (any TaskExecutor)? { io }
    /// This process, as the socket-pair bridge before this transport had it: the schema cache then keys on this
    /// program plus QEMU's version and package string (no other program can stand behind this transport).
    var peerProcessID: Int32? { getpid() }

    private var connection: virConnectPtr { domain.connection.pointer }

    // MARK: - Connecting (blocking; on a thread of the connect)

    /// Registers for the domain's monitor events, its lifecycle and the connection's close, then makes up the
    /// greeting from `query-version`.
    func prepare() throws(LibvirtError) {
        try register()
        let item: JSONStreamFramer.Item
        do throws(LibvirtError) {
            var text: [UInt8] = []
            item = try command(["execute": "query-version"], text: &text, id: nil)
        } catch {
            deregister()
            throw error
        }
        guard case .object(let version) = item, let versionValue = version["return"] else {
            deregister()
            var text = ""
            if case .object(let version) = item { text = JSON.object(version).serialized() }
            if case .malformed(let input) = item { text = input.reason }
            throw LibvirtError(.callFailed, "the monitor of '\(address.domain)' did not answer query-version: \(text)")
        }
        greeting.withLock { $0 = ["version": versionValue, "capabilities": .array([])] }
    }

    /// A transport never started (its connect passed its time limit) still has its registrations: drop them.
    deinit {
        deregister()
    }

    private func register() throws(LibvirtError) {
        let monitorID = qk_virConnectDomainQemuMonitorEventRegister(
            connection, domain.pointer, nil,
            { _, _, event, seconds, micros, details, opaque in
                guard let event, let transport = WeakTransport.transport(from: opaque) else { return }
                transport.queueEvent(
                    name: String(cString: event), seconds: seconds, microseconds: micros,
                    details: details.map { String(cString: $0) })
            },
            WeakTransport.retained(self), releaseReference, 0)
        guard monitorID >= 0 else {
            let failure = LibvirtFailure.last()
            throw LibvirtError(
                .callFailed, "cannot subscribe to the monitor events of '\(address.domain)': \(oneLine(failure.message))",
                libvirtMessage: failure.message)
        }
        registrations.withLock { $0.monitorEvents = monitorID }

        // Optional: without them the transport still notices a lost domain or daemon at its next command.
        let lifecycleID = qk_register_lifecycle(
            connection, domain.pointer,
            { _, _, event, _, opaque in
                if UInt32(bitPattern: event) == VIR_DOMAIN_EVENT_STOPPED.rawValue {
                    WeakTransport.transport(from: opaque)?.close(QMPConnectionError(.closedByPeer, "the domain stopped"))
                }
                return 0
            },
            WeakTransport.retained(self), releaseReference)
        if lifecycleID >= 0 { registrations.withLock { $0.lifecycle = lifecycleID } }
        if qk_virConnectRegisterCloseCallback(connection, connectionClosed, WeakTransport.retained(self), releaseReference) == 0 {
            registrations.withLock { $0.closeCallback = true }
        }
    }

    private func deregister() {
        let current = registrations.withLock { value in
            defer { value = Registrations() }
            return value
        }
        if current.monitorEvents >= 0 { _ = qk_virConnectDomainQemuMonitorEventDeregister(connection, current.monitorEvents) }
        if current.lifecycle >= 0 { _ = qk_virConnectDomainEventDeregisterAny(connection, current.lifecycle) }
        if current.closeCallback { _ = qk_virConnectUnregisterCloseCallback(connection, connectionClosed) }
    }

    // MARK: - MessageTransport

    func start(_ receiver: any TransportReceiver) {
        state.withLock { $0.receiver = receiver }
        startThread { [self] in
            let error = run(receiver)
            receiver.transportClosed(error)
            io.stop()
            deregister()
            state.withLock { $0.receiver = nil }
            receiver.transportFinished()
        }
    }

    func send(_ message: OutboundMessage) throws(QMPConnectionError) -> TransportSendResult {
        let closed = state.withLock { state -> QMPConnectionError? in
            if let closing = state.closing { return closing }
            state.request = message
            return nil
        }
        if let closed { throw closed }
        io.wake()
        return .busy
    }

    func shutdown() {
        close(QMPConnectionError(.closedByClient, "the connection was closed"))
    }

    /// Ends the connection with `error` (the first reason wins) and wakes the worker.
    func close(_ error: QMPConnectionError) {
        state.withLock { state in
            if state.closing == nil { state.closing = error }
        }
        io.wake()
    }

    // MARK: - The worker thread

    /// Makes the libvirt calls and delivers everything until the connection is over; returns why it ended.
    private func run(_ receiver: any TransportReceiver) -> QMPConnectionError {
        var requests = LibvirtRequests(negotiated: true)
        // Kept across commands: the events taken from the state (swapped, so neither side reallocates) and the
        // command text handed to libvirt.
        var events: [JSONObject] = []
        var text = CommandText()
        while true {
            // Run the jobs of tasks that prefer this thread, then take the work, or sleep until there is some.
            io.runJobs()
            guard io.prepareToSleep() else { continue }
            // Taken after `prepareToSleep`: whoever adds work later finds the loop asleep and wakes it.
            let (request, closing) = state.withLock { state in
                defer { state.request = nil }
                if !state.events.isEmpty { swap(&events, &state.events) }
                return (state.request, state.closing)
            }
            if request == nil && events.isEmpty && closing == nil {
                var descriptor = pollfd(fd: io.wakeDescriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, -1)
                io.awake()
                continue
            }
            io.awake()
            if !events.isEmpty {
                for event in events { receiver.transportReceived(.object(event)) }
                events.removeAll(keepingCapacity: true)
            }
            if let closing { return closing }
            guard let request else { continue }
            switch answer(request, &requests, &text) {
            case .item(let item):
                receiver.transportReceived(item)
                receiver.transportReady()
            case .closed(let error):
                return error
            }
        }
    }

    private enum Answer {
        case item(JSONStreamFramer.Item)
        case closed(QMPConnectionError)
    }

    /// The command text handed to libvirt, kept by the worker across commands, and the request it was made from
    /// when that request went the hot path.
    private struct CommandText {
        var bytes: [UInt8] = []
        /// The request `bytes` was made from, and its id. Kept alive here, so a request in the same storage is
        /// the same request: the client sends one shared, never-mutated array for each repeat of a command without
        /// arguments or id (a polling loop), and its command text is then reused as it is.
        var source: (request: [UInt8], forward: LibvirtRequests.Forward)?

        init() { bytes.reserveCapacity(256) }

        /// Whether `request` is, byte for byte, the request the text was made from.
        func isMade(from request: [UInt8]) -> Bool {
            guard let source, source.request.count == request.count else { return false }
            return source.request.withUnsafeBufferPointer { old in request.withUnsafeBufferPointer { $0.baseAddress == old.baseAddress } }
        }
    }

    /// QEMU's answer to one request, made up when libvirt cannot carry it; `.closed` when the domain or libvirt's
    /// connection is gone. `text` is the worker's buffer for the command text.
    private func answer(_ message: OutboundMessage, _ requests: inout LibvirtRequests, _ text: inout CommandText) -> Answer {
        // The client's own encoding goes to libvirt as written (less its id), with no parse; a repeat of the last
        // request reuses its text.
        if message.fileDescriptors.isEmpty, let source = text.source, text.isMade(from: message.bytes) {
            return call(id: source.forward.id) { () throws(LibvirtError) in try command(text: text.bytes, id: source.forward.id) }
        }
        text.source = nil
        var length = message.bytes.count
        while length > 0, message.bytes[length - 1] == UInt8(ascii: "\n") || message.bytes[length - 1] == UInt8(ascii: "\r") {
            length -= 1
        }
        if message.fileDescriptors.isEmpty,
            let forward = message.bytes.withUnsafeBytes({ requests.forwardable(UnsafeRawBufferPointer(rebasing: $0[..<length]), into: &text.bytes) })
        {
            text.source = (message.bytes, forward)
            return call(id: forward.id) { () throws(LibvirtError) in try command(text: text.bytes, id: forward.id) }
        }
        let parsed = message.bytes.withUnsafeBytes { bytes in
            Result { () throws(JSONParseError) in try JSON(parsing: UnsafeRawBufferPointer(rebasing: bytes[..<length])) }
        }
        let object: JSONObject
        switch parsed {
        case .failure(let error):
            return .item(.object(LibvirtRequests.parseError(error.description)))
        case .success(let value):
            guard let value = value.objectValue else {
                return .item(.object(LibvirtRequests.error("GenericError", "QMP input must be a JSON object", id: nil)))
            }
            object = value
        }
        switch requests.handle(object) {
        case .reply(let reply):
            return .item(.object(reply))
        case .forward(let command, let id):
            if !message.fileDescriptors.isEmpty {
                return .item(.object(LibvirtRequests.error(
                    "GenericError", "file descriptors cannot be passed through libvirt", id: id)))
            }
            return call(id: id) { () throws(LibvirtError) in try self.command(command, text: &text.bytes, id: id) }
        }
    }

    /// The answer `body` (a libvirt call) gives, or, when libvirt refuses the call, an error reply for `id`, or
    /// `.closed` when the refusal is because the domain or libvirt's connection is gone.
    private func call(id: JSON?, _ body: () throws(LibvirtError) -> JSONStreamFramer.Item) -> Answer {
        do throws(LibvirtError) {
            return .item(try body())
        } catch {
            if qk_virConnectIsAlive(connection) != 1 || qk_virDomainIsActive(domain.pointer) != 1 {
                return .closed(QMPConnectionError(
                    .closedByPeer, "libvirt: \(error.libvirtMessage.map(oneLine) ?? error.message)"))
            }
            return .item(.object(LibvirtRequests.error(
                "GenericError", "libvirt: \(error.libvirtMessage.map(oneLine) ?? error.message)", id: id)))
        }
    }

    /// Runs `request` through libvirt (blocking), serialized into `text`; see ``command(text:id:)``.
    private func command(_ request: JSONObject, text: inout [UInt8], id: JSON?) throws(LibvirtError) -> JSONStreamFramer.Item {
        text.removeAll(keepingCapacity: true)
        JSON.object(request).write(into: &text)
        text.append(0)
        return try command(text: text, id: id)
    }

    /// Runs one command through libvirt (blocking): `text` is its NUL-terminated JSON. Returns what the client
    /// receives for the call whose id is `id` (``LibvirtRequests/reply(parsing:id:)``); throws when libvirt refuses
    /// the call.
    private func command(text: [UInt8], id: JSON?) throws(LibvirtError) -> JSONStreamFramer.Item {
        var result: UnsafeMutablePointer<CChar>?
        let status = text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { qk_virDomainQemuMonitorCommand(domain.pointer, $0.baseAddress, &result, 0) }
        }
        guard status == 0, let result else {
            let failure = LibvirtFailure.last()
            throw LibvirtError(.callFailed, "libvirt refused the command: \(oneLine(failure.message))", libvirtMessage: failure.message)
        }
        defer { free(result) }
        // Read where libvirt left it: no String in between (it would validate and copy the text once more).
        return LibvirtRequests.reply(parsing: UnsafeRawBufferPointer(start: result, count: strlen(result)), id: id)
    }

    // MARK: - Events (libvirt's event-loop thread)

    /// Queues an event libvirt relayed, in QMP's own shape, and wakes the worker to deliver it.
    func queueEvent(name: String, seconds: Int64, microseconds: UInt32, details: String?) {
        let event = LibvirtRequests.event(name: name, seconds: seconds, microseconds: Int64(microseconds), details: details) {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return (Int64(now.tv_sec), Int64(now.tv_nsec / 1000))
        }
        let queued = state.withLock { state -> Bool in
            guard state.closing == nil, state.receiver != nil else { return false }
            state.events.append(event)
            return true
        }
        if queued { io.wake() }
    }
}

/// What libvirt's callbacks hold: a weak reference, so libvirt never owns the transport.
private final class WeakTransport: Sendable {
    weak let transport: LibvirtTransport?
    init(_ transport: LibvirtTransport) { self.transport = transport }

    /// A +1 reference for libvirt's `opaque`; `releaseReference` drops it.
    static func retained(_ transport: LibvirtTransport) -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(WeakTransport(transport)).toOpaque()
    }

    static func transport(from opaque: UnsafeMutableRawPointer?) -> LibvirtTransport? {
        guard let opaque else { return nil }
        return Unmanaged<WeakTransport>.fromOpaque(opaque).takeUnretainedValue().transport
    }
}

/// libvirt's close callback: the connection to the daemon broke.
private func connectionClosed(_ connection: virConnectPtr?, _ reason: Int32, _ opaque: UnsafeMutableRawPointer?) {
    WeakTransport.transport(from: opaque)?.close(QMPConnectionError(.closedByPeer, "the connection to libvirt was lost"))
}

/// Frees the reference a registration held (libvirt calls it once the registration is gone). A registration that
/// fails keeps its small WeakTransport: freeing it here too could free it twice.
private func releaseReference(_ opaque: UnsafeMutableRawPointer?) {
    guard let opaque else { return }
    Unmanaged<WeakTransport>.fromOpaque(opaque).release()
}
