public import QMPWire
import QMP
import Synchronization

/// A scripted QMP server on a Unix socket, for protocol situations a real QEMU cannot produce on demand: replies
/// out of order, events before the greeting, garbage lines, huge replies, a socket closed mid-reply.
///
/// Each accepted connection is handed to `handler` on a thread of its own; the handler uses blocking calls on a
/// ``FakeQMPPeer`` (all with time limits), which keeps test scripts linear:
///
/// ```swift
/// let server = try FakeQMPServer { peer in
///     try peer.negotiate()
///     let request = try peer.receive()!
///     try peer.reply(to: request, ["status": "running"])
/// }
/// let client = try await QMPClient.connect(to: server.address)
/// ```
public final class FakeQMPServer: Sendable {
    /// The private folder holding the socket; it is removed when the server is released.
    public let directory: TemporaryDirectory
    private let listener: ListeningSocket
    private let outcome = Locked<Outcome>(Outcome())

    private struct Outcome {
        var finished = false
        var errors: [String] = []
        var waiters: [UnsafeContinuation<[String], Never>] = []
    }

    /// Starts listening and serves up to `connections` clients, one after another, each with `handler`.
    public convenience init(connections: Int = 1, _ handler: @escaping @Sendable (FakeQMPPeer) throws -> Void) throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-fake")
        try self.init(listener: ListeningSocket(path: directory.file("qmp.sock")), directory: directory,
                      connections: connections, handler)
    }

    /// Serves on a given listening socket (e.g. `ListeningSocket.tcpLoopback()`).
    public init(
        listener: ListeningSocket, directory: TemporaryDirectory? = nil, connections: Int = 1,
        _ handler: @escaping @Sendable (FakeQMPPeer) throws -> Void
    ) throws {
        self.directory = try directory ?? TemporaryDirectory(prefix: "qmpkit-fake")
        self.listener = listener
        startThread { [listener, outcome] in
            var errors: [String] = []
            for _ in 0..<connections {
                guard let connection = listener.accept() else { break }
                let peer = FakeQMPPeer(connection: connection)
                do {
                    try handler(peer)
                } catch {
                    errors.append("\(error)")
                }
                peer.close()
            }
            let waiters = outcome.withLock { state in
                state.finished = true
                state.errors = errors
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: errors) }
        }
    }

    deinit { listener.shutdown() }

    /// The socket path.
    public var path: String { listener.path }
    /// The socket as a monitor address, for `QMPClient.connect(to:)`.
    public var address: MonitorAddress { .unix(path: listener.path) }

    /// Waits until every handler has returned; returns the errors they threw (empty when all went to plan).
    public func finished() async -> [String] {
        await withUnsafeContinuation { continuation in
            let done = outcome.withLock { state -> [String]? in
                if state.finished { return state.errors }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Stops accepting new connections.
    public func stop() { listener.shutdown() }

    /// A server that answers every command at once like an idle QEMU (see ``FakeQMPPeer/serveStandard()``).
    public static func standard(connections: Int = 1) throws -> FakeQMPServer {
        try FakeQMPServer(connections: connections) { peer in
            try peer.negotiate()
            try peer.serveStandard()
        }
    }
}

/// The server side of one connection of a ``FakeQMPServer``.
public final class FakeQMPPeer: Sendable {
    /// The accepted socket; the peer's `send` and `receive` methods use it.
    public let connection: SocketConnection
    private let framer = Mutex(JSONStreamFramer())

    /// A peer on an accepted `connection` (the server makes one per client).
    public init(connection: SocketConnection) { self.connection = connection }

    /// The greeting a QEMU 7.2 sends.
    public static let qemu72Greeting: JSON = [
        "QMP": [
            "version": ["qemu": ["micro": 22, "minor": 2, "major": 7], "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"],
            "capabilities": ["oob"],
        ],
    ]

    /// Sends one JSON value followed by `\r\n`, as QEMU does.
    public func send(_ value: JSON) throws {
        var bytes: [UInt8] = []
        value.write(into: &bytes)
        bytes += [13, 10]
        try connection.send(bytes)
    }

    /// Sends bytes exactly as given.
    public func sendRaw(_ text: String) throws { try connection.send(Array(text.utf8)) }

    /// Sends bytes exactly as given, invalid UTF-8 and partial messages included.
    public func sendRaw(_ bytes: [UInt8]) throws { try connection.send(bytes) }

    /// Sends `greeting` (by default QEMU 7.2's) as the first message, without waiting for anything.
    public func sendGreeting(_ greeting: JSON = FakeQMPPeer.qemu72Greeting) throws { try send(greeting) }

    /// Sends the greeting, then expects `qmp_capabilities` and accepts it.
    public func negotiate(greeting: JSON = FakeQMPPeer.qemu72Greeting) throws {
        try sendGreeting(greeting)
        guard let request = try receive() else { throw TestSupportError("client left before negotiating") }
        guard request["execute"]?.stringValue == "qmp_capabilities" else {
            throw TestSupportError("expected qmp_capabilities, got \(JSON.object(request))")
        }
        try reply(to: request, [:])
    }

    /// The next request object, or `nil` when the client closed the connection. Throws after `timeout`.
    public func receive(timeout: Duration = .seconds(10)) throws -> JSONObject? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            if let item = try framer.withLock({ try $0.next() }) {
                switch item {
                case .object(let object): return object
                case .malformed(let input): throw TestSupportError("client sent malformed input: \(input)")
                }
            }
            let remaining = deadline - clock.now
            let milliseconds = max(0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard connection.waitReadable(milliseconds: Int32(clamping: milliseconds)) else {
                throw TestSupportError("no request from the client within \(timeout)")
            }
            let count = try connection.receive(into: buffer)
            if count == 0 { return nil }
            framer.withLock { $0.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
        }
    }

    /// The next request and the descriptors that came with it (the caller closes them).
    public func receiveWithFileDescriptors(timeout: Duration = .seconds(10)) throws -> (JSONObject?, [Int32]) {
        guard connection.waitReadable(milliseconds: Int32(timeout.components.seconds * 1000)) else {
            throw TestSupportError("no request from the client within \(timeout)")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        let (count, descriptors) = try connection.receiveWithRights(into: buffer)
        framer.withLock { $0.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
        return (try receive(timeout: timeout), descriptors)
    }

    /// Replies `{"return": value}`, echoing the request's id.
    public func reply(to request: JSONObject, _ value: JSON = [:]) throws {
        var object: JSONObject = ["return": value]
        if let id = request["id"] { object["id"] = id }
        try send(.object(object))
    }

    /// Replies with an error of `errorClass`, echoing the request's id.
    public func replyError(to request: JSONObject, errorClass: String, description: String) throws {
        var object: JSONObject = ["error": ["class": .string(errorClass), "desc": .string(description)]]
        if let id = request["id"] { object["id"] = id }
        try send(.object(object))
    }

    /// Sends an event.
    public func sendEvent(_ name: String, data: JSON? = nil, seconds: Int64 = 1_700_000_000, microseconds: Int64 = 0) throws {
        var object: JSONObject = ["event": .string(name)]
        if let data { object["data"] = data }
        object["timestamp"] = ["seconds": .int(seconds), "microseconds": .int(microseconds)]
        try send(.object(object))
    }

    /// Closes the connection (the client sees end of stream).
    public func close() { connection.shutdown() }

    /// Answers requests like an idle QEMU until the client leaves: `query-status` (running), `query-version`,
    /// `query-name`, `stop`/`cont` (with their events), `quit` (reply, `SHUTDOWN`, close), anything else
    /// `CommandNotFound`.
    public func serveStandard() throws {
        while let request = try receive(timeout: .seconds(3600)) {
            let name = request["execute"]?.stringValue ?? request["exec-oob"]?.stringValue ?? ""
            switch name {
            case "query-status": try reply(to: request, ["status": "running", "singlestep": false, "running": true])
            case "query-version":
                try reply(to: request, ["qemu": ["micro": 22, "minor": 2, "major": 7], "package": "Debian 1:7.2"])
            case "query-name": try reply(to: request, [:])
            case "stop":
                try reply(to: request)
                try sendEvent("STOP")
            case "cont":
                try reply(to: request)
                try sendEvent("RESUME")
            case "quit":
                try reply(to: request)
                try sendEvent("SHUTDOWN", data: ["guest": false, "reason": "host-qmp-quit"])
                return
            default:
                try replyError(to: request, errorClass: "CommandNotFound", description: "The command \(name) has not been found")
            }
        }
    }
}
