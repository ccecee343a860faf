import QMP
import QMPWire
import Synchronization
import Testing

/// A transport with no socket: it records what it is given and the test delivers what the peer says, as the
/// libvirt transport does (no greeting on the wire, replies and events handed over as messages).
final class MemoryTransport: MessageTransport {
    struct State {
        var receiver: (any TransportReceiver)?
        var sent: [String] = []
        var busyNext = false
        var failNext: QMPConnectionError?
        var shutdowns = 0
        var sendWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    let state = Mutex(State())
    let suppliedGreeting: JSONObject?
    /// Answers each message, on a thread of the transport's own, one at a time.
    let answer: (@Sendable (String) -> JSONObject?)?
    var executor: (any TaskExecutor)? { nil }
    var peerProcessID: Int32? { nil }

    init(greeting: JSONObject?, answer: (@Sendable (String) -> JSONObject?)? = nil) {
        self.suppliedGreeting = greeting
        self.answer = answer
    }

    func start(_ receiver: any TransportReceiver) {
        state.withLock { $0.receiver = receiver }
        runDeliveries(to: receiver)
    }

    func send(_ message: OutboundMessage) throws(QMPConnectionError) -> TransportSendResult {
        let text = String(decoding: message.bytes, as: UTF8.self)
        let (busy, failure) = state.withLock { state in
            defer {
                state.busyNext = false
                state.failNext = nil
            }
            if state.failNext == nil { state.sent.append(text) }
            return (state.busyNext, state.failNext)
        }
        let reached = state.withLock { state in
            let count = state.sent.count
            defer { state.sendWaiters.removeAll { $0.count <= count } }
            return state.sendWaiters.filter { $0.count <= count }.map(\.continuation)
        }
        for waiter in reached { waiter.resume() }
        if let failure { throw failure }
        if let answer, let reply = answer(text) { deliver(.object(reply)) }
        return busy ? .busy : .sent
    }

    func shutdown() {
        state.withLock { $0.shutdowns += 1 }
        deliveries.yield(.close(QMPConnectionError(.closedByClient, "shut down")))
    }

    enum Delivery: Sendable {
        case item(JSONStreamFramer.Item)
        case close(QMPConnectionError)
    }

    /// Deliveries in order, one at a time, on a task of the transport's own (never from inside `send`).
    private let (stream, deliveries) = AsyncStream.makeStream(of: Delivery.self)

    private func runDeliveries(to receiver: any TransportReceiver) {
        Task.detached { [stream] in
            for await delivery in stream {
                switch delivery {
                case .item(let item):
                    receiver.transportReceived(item)
                case .close(let error):
                    receiver.transportClosed(error)
                    receiver.transportFinished()
                    return
                }
            }
        }
    }

    func deliver(_ item: JSONStreamFramer.Item) {
        deliveries.yield(.item(item))
    }

    func ready() {
        guard let receiver = state.withLock({ $0.receiver }) else { return }
        receiver.transportReady()
    }

    func closeFromPeer() {
        deliveries.yield(.close(QMPConnectionError(.closedByPeer, "the peer went away")))
    }

    var sent: [String] { state.withLock { $0.sent } }

    /// Returns once `count` messages were sent.
    func waitForSent(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state in
                if state.sent.count >= count { return true }
                state.sendWaiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// `QMPClient` over the transport seam, with no socket: a supplied greeting, busy transports, failed sends and
/// closes reach every pending call.
@Suite(.timeLimit(.minutes(1))) struct TransportSeamTests {
    static let greeting: JSONObject = ["version": ["qemu": ["major": 9, "minor": 1, "micro": 0], "package": "libvirt"], "capabilities": []]

    @Test func aSuppliedGreetingSkipsNegotiationAndRepliesComeAsMessages() async throws {
        let transport = MemoryTransport(greeting: Self.greeting) { text in
            let request = try? JSON(parsing: Array(text.utf8))
            return ["return": ["echo": request?["execute"] ?? .null]]
        }
        let client = try await QMPClient.connect(using: transport)
        #expect(client.greeting.version == QEMUVersion(major: 9, minor: 1, micro: 0, package: "libvirt"))
        #expect(client.enabledCapabilities.isEmpty)
        #expect(transport.sent.isEmpty, "no qmp_capabilities through a transport that negotiated already")
        for name in ["query-status", "query-version", "query-name"] {
            #expect(try await client.execute(name) == ["echo": .string(name)])
        }
        #expect(transport.sent.count == 3)
        #expect(transport.sent.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\"id\"") })
        await client.close()
        #expect(client.closedError?.code == .closedByClient)
    }

    /// While the transport is busy, later requests wait in the client's queue; one whose caller gives up is
    /// withdrawn unsent; `transportReady()` sends the rest.
    @Test func aBusyTransportKeepsLaterRequestsQueuedAndWithdrawsAbandonedOnes() async throws {
        let transport = MemoryTransport(greeting: Self.greeting)
        let client = try await QMPClient.connect(using: transport)
        transport.state.withLock { $0.busyNext = true }
        let first = Task { try await client.execute("first", timeout: .seconds(20)) }
        await transport.waitForSent(1)
        await #expect(throws: QMPTimeoutError.self) {
            try await client.execute("abandoned", timeout: .milliseconds(100))
        }
        #expect(transport.sent.count == 1, "nothing is sent while the transport is busy")
        transport.ready()
        #expect(transport.sent.count == 1, "the abandoned request was withdrawn unsent")
        let third = Task { try await client.execute("third", timeout: .seconds(20)) }
        await transport.waitForSent(2)
        #expect(transport.sent.last?.contains("third") == true)
        transport.deliver(.object(["return": ["n": 1]]))
        transport.deliver(.object(["return": ["n": 3]]))
        #expect(try await first.value == ["n": 1])
        #expect(try await third.value == ["n": 3])
        await client.close()
    }

    /// An unusable reply still ends exactly the call in front; the next reply reaches the next call.
    @Test func anUnusableReplyFromTheTransportEndsOnlyItsCall() async throws {
        let transport = MemoryTransport(greeting: Self.greeting)
        let client = try await QMPClient.connect(using: transport)
        let bad = Task { try await client.execute("bad", timeout: .seconds(20)) }
        await transport.waitForSent(1)
        let good = Task { try await client.execute("good", timeout: .seconds(20)) }
        await transport.waitForSent(2)
        transport.deliver(.malformed(.init(reason: "libvirt returned no JSON", excerpt: "", kind: .invalidObject, keys: ["return"])))
        transport.deliver(.object(["return": "ok"]))
        await #expect(throws: QMPProtocolError.self) { try await bad.value }
        #expect(try await good.value == "ok")
        await client.close()
    }

    @Test func aFailedSendFailsItsCallAndShutsTheTransportDown() async throws {
        let transport = MemoryTransport(greeting: Self.greeting)
        let client = try await QMPClient.connect(using: transport)
        transport.state.withLock { $0.failNext = QMPConnectionError(.ioError, "broken") }
        await #expect(throws: QMPConnectionError.self) { try await client.execute("query-status", timeout: .seconds(20)) }
        #expect(client.closedError?.code == .ioError)
        #expect(transport.state.withLock { $0.shutdowns } >= 1)
        await client.close()
    }

    @Test func thePeerGoingAwayFailsEveryPendingCallAndEveryWait() async throws {
        let transport = MemoryTransport(greeting: Self.greeting)
        let client = try await QMPClient.connect(using: transport)
        let call = Task { try await client.execute("query-status", timeout: .seconds(20)) }
        let wait = Task { try await client.waitForEvent("NEVER", timeout: .seconds(20)) }
        await transport.waitForSent(1)
        transport.closeFromPeer()
        await #expect(throws: QMPConnectionError.self) { try await call.value }
        await #expect(throws: QMPConnectionError.self) { try await wait.value }
        await #expect(throws: QMPConnectionError.self) { try await client.execute("later") }
        await client.close()
    }
}
