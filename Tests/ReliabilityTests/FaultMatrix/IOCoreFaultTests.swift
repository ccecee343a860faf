#if canImport(Glibc)
import Glibc
#endif
import HMP
import QMP
import QMPTestSupport
import QMPWire
import Testing

/// The I/O core's fault matrix (issue 14): each defect measured against the old core, reproduced here first.
/// No call may hang: every time limit covers connect, greeting, send and reply, a message the client cannot use
/// ends exactly one call, and user code never runs under the client's locks.
@Suite(.timeLimit(.minutes(2))) struct IOCoreFaultTests {
    // MARK: - A message the client cannot use never shifts the matching

    /// Raw NUL and ESC bytes make a reply unparseable. Its call fails at once with a protocol error that says why;
    /// the next call still gets its own reply (with first-in first-out matching it used to get the one before).
    @Test func unparseableReplyFailsItsCallAndLaterRepliesStayMatched() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let first = try peer.receive()!
            _ = first
            try peer.sendRaw([UInt8](#"{"return": {"text": "a"#.utf8) + [0x00] + [UInt8](#"b"}}"#.utf8) + [13, 10])
            let second = try peer.receive()!
            try peer.reply(to: second, "second")
            _ = try peer.receive()!
            try peer.sendRaw([UInt8](#"{"return": "\#u{1B}[K"}"#.utf8) + [13, 10])
            let fourth = try peer.receive()!
            try peer.reply(to: fourth, "fourth")
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: QMPProtocolError.self) { try await client.execute("query-block", timeout: .seconds(20)) }
        #expect(clock.now - start < .seconds(5), "the call waited for its time limit instead of failing at once")
        #expect(try await client.execute("query-status", timeout: .seconds(20)) == "second")
        do {
            _ = try await client.execute("query-version", timeout: .seconds(20))
            Issue.record("a reply with a raw ESC byte was accepted")
        } catch let error as QMPProtocolError {
            #expect(error.reason.contains("control character"), "\(error)")
        }
        #expect(try await client.execute("query-name", timeout: .seconds(20)) == "fourth")
        #expect(!client.isClosed)
        await client.close()
        _ = await server.finished()
    }

    /// An event that does not parse is counted; it does not fail the call in front.
    @Test func unparseableEventIsCountedAndDoesNotTouchTheCallInFront() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let request = try peer.receive()!
            try peer.sendRaw([UInt8](#"{"event": "BAD"#.utf8) + [0x00] + [UInt8](#"", "data": {}}"#.utf8) + [13, 10])
            try peer.reply(to: request, "mine")
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        #expect(try await client.execute("query-status", timeout: .seconds(20)) == "mine")
        #expect(client.protocolAnomalies.recent.contains { $0.reason.contains("event") }, "\(client.protocolAnomalies.recent)")
        await client.close()
        _ = await server.finished()
    }

    /// QEMU nests `query-block` 607 deep on a 600-deep backing chain: such replies parse. A reply nested 100 000
    /// deep fails its call with an error that names the depth, in bounded memory, and the next call is unaffected.
    @Test func deepRepliesParseAndAbsurdNestingFailsOnlyItsCall() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            _ = try peer.receive()!
            try peer.sendRaw(Self.nested(700))
            _ = try peer.receive()!
            try peer.sendRaw(Self.nested(100_000))
            let third = try peer.receive()!
            try peer.reply(to: third, "third")
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        var value = try await client.execute("query-block", timeout: .seconds(20))
        var depth = 0
        while case .array(let elements) = value, let first = elements.first {
            depth += 1
            value = first
        }
        #expect(depth == 699)
        let before = Probe.residentKiB()
        do {
            _ = try await client.execute("query-block", timeout: .seconds(20))
            Issue.record("a reply nested 100 000 deep was accepted")
        } catch let error as QMPProtocolError {
            #expect(error.reason.contains("nested"), "\(error)")
        }
        #expect(Probe.residentKiB() - before < 64 * 1024)
        #expect(try await client.execute("query-status", timeout: .seconds(20)) == "third")
        await client.close()
        _ = await server.finished()
    }

    static func nested(_ depth: Int) -> String {
        #"{"return": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}\r\n"
    }

    // MARK: - Connect, send and read are bounded

    /// A listener that never accepts (QEMU stopped, or its monitor held): the kernel queues two connections, the
    /// third `connect` used to block forever. Each connect now ends at its time limit.
    @Test func connectToAListenerThatNeverAcceptsEndsAtTheTimeLimit() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-backlog")
        let listener = try ListeningSocket(path: directory.file("qmp.sock"), backlog: 0)
        try await Self.expectConnectsEnd(to: .unix(path: listener.path), what: "unix")
        withExtendedLifetime(listener) {}
    }

    @Test func connectOverTCPToAListenerThatNeverAcceptsEndsAtTheTimeLimit() async throws {
        let listener = try ListeningSocket.tcpLoopback(backlog: 0)
        try await Self.expectConnectsEnd(to: .tcp(host: "127.0.0.1", port: listener.port), what: "tcp")
        withExtendedLifetime(listener) {}
    }

    /// The same against a real QEMU stopped with SIGSTOP.
    @Test func connectToAStoppedQEMUEndsAtTheTimeLimit() async throws {
        let qemu = try QEMUProcess.launch()
        // A first client proves QEMU is up before it is stopped.
        try await QMPClient.withConnection(to: .unix(path: qemu.monitorPath)) { client in
            _ = try await client.execute("query-status", timeout: .seconds(30))
        }
        kill(qemu.pid, SIGSTOP)
        defer { kill(qemu.pid, SIGCONT) }
        try await Self.expectConnectsEnd(to: .unix(path: qemu.monitorPath), what: "stopped QEMU")
    }

    /// Six clients connect with a 1 s limit; each one ends within a few seconds (before: four blocked forever).
    static func expectConnectsEnd(to address: MonitorAddress, what: String) async throws {
        var settings = QMPClient.Configuration()
        settings.greetingTimeout = .seconds(1)
        let configuration = settings
        let clock = ContinuousClock()
        let start = clock.now
        let results = await withTaskGroup(of: (Duration, String).self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let begin = clock.now
                    do {
                        let client = try await QMPClient.connect(to: address, configuration: configuration)
                        await client.close()
                        return (clock.now - begin, "connected")
                    } catch {
                        return (clock.now - begin, "\(error)")
                    }
                }
            }
            var results: [(Duration, String)] = []
            for await result in group { results.append(result) }
            return results
        }
        let slowest = results.map(\.0).max() ?? .zero
        #expect(slowest < .seconds(4), "\(what): \(results)")
        #expect(results.allSatisfy { $0.1 != "connected" }, "\(what): \(results)")
        report("connect to a \(what) listener that never accepts: 6 clients ended within \((clock.now - start).formatted)")
    }

    /// A peer that never reads: four 300 KB commands with a 2 s limit each end at their limit (before: none
    /// within 20 s, one pool thread in `sendto` and one waiting for the send lock), events keep arriving
    /// meanwhile, and requests still queued when their caller gave up are never sent.
    @Test func sendsToAPeerThatNeverReadsEndAtTheirLimitAndEventsStillArrive() async throws {
        let gate = Gate()
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            try gate.wait(.seconds(60))
            try peer.sendEvent("STILL_READING")
            try gate.wait(.seconds(60))
        }
        let client = try await QMPClient.connect(to: server.address)
        let big = JSON.string(String(repeating: "x", count: 300_000))
        let clock = ContinuousClock()
        let start = clock.now
        let cursor = client.eventCursor()
        async let event = client.waitForEvent("STILL_READING", since: .cursor(cursor), timeout: .seconds(30))
        let results = await outcomes(of: 4) { _ in
            try await client.execute("human-monitor-command", arguments: ["command-line": big], timeout: .seconds(2))
        }
        let elapsed = clock.now - start
        #expect(results.allSatisfy { $0.failure is QMPTimeoutError }, "\(results)")
        #expect(elapsed < .seconds(6), "four blocked sends took \(elapsed)")
        gate.open()
        #expect(try await event.name == "STILL_READING")
        gate.open()
        report("peer that never reads: four 300 KB sends ended within \(elapsed.formatted)")
        await client.close()
        _ = await server.finished()
    }

    /// The same from the client's own I/O thread (`withAffinity`): that thread used to write, so a peer that
    /// stops reading blocked the reader too (a 1 MB command with a 3 s limit still ran after 60 s).
    @Test func anAffineSendToAPeerThatNeverReadsEndsAtItsLimit() async throws {
        let gate = Gate()
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            try gate.wait(.seconds(60))
        }
        let client = try await QMPClient.connect(to: server.address)
        let big = JSON.string(String(repeating: "y", count: 1 << 20))
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: Result<JSON, any Error> = await client.withAffinity {
            do {
                return .success(try await client.execute("human-monitor-command", arguments: ["command-line": big], timeout: .seconds(2)))
            } catch {
                return .failure(error)
            }
        }
        #expect(outcome.failure is QMPTimeoutError, "\(outcome)")
        #expect(clock.now - start < .seconds(5))
        gate.open()
        await client.close()
        _ = await server.finished()
    }

    /// Junk with no newline used to grow the client without bound (3.5 GB), during the greeting too. Now memory
    /// stays bounded whatever its length.
    @Test func junkWithoutNewlineKeepsMemoryBounded() async throws {
        let server = try FakeQMPServer { peer in
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
            for _ in 0..<96 { try peer.sendRaw(chunk) }
            try peer.sendRaw("\r\n")
            try peer.negotiate()
            try peer.serveStandard()
        }
        let before = Probe.residentKiB()
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = .seconds(60)
        let client = try await QMPClient.connect(to: server.address, configuration: configuration)
        let growth = Probe.residentKiB() - before
        #expect(growth < 32 * 1024, "96 MiB of junk grew the client by \(growth) KiB")
        #expect(try await client.execute("query-status", timeout: .seconds(20))["status"] == "running")
        report("96 MiB of junk without a newline: client grew \(growth / 1024) MiB")
        await client.close()
        _ = await server.finished()
    }

    // MARK: - User code and locks, lifetimes

    /// A wait predicate that calls back into the client used to crash the process (`Recursive call to lock
    /// Mutex`): filters ran under the client's lock.
    @Test func filtersMayCallBackIntoTheClient() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let request = try peer.receive()!
            try peer.reply(to: request)
            try peer.sendEvent("STOP")
            let second = try peer.receive()!
            try peer.reply(to: second)
            try peer.sendEvent("RESUME")
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let subscription = client.events(QMPEventFilter(predicate: { _ in client.eventCursor().sequence >= 0 }))
        _ = try await client.execute("stop", timeout: .seconds(20))
        let stop = try await client.waitForEvent(
            QMPEventFilter(names: ["STOP"], predicate: { _ in client.recentEvents().count >= 0 }), timeout: .seconds(20))
        #expect(stop.name == "STOP")
        _ = try await client.execute("cont", timeout: .seconds(20))
        let resume = try await client.waitForEvent(
            QMPEventFilter(names: ["RESUME"], predicate: { _ in client.pendingCallCount >= 0 }), timeout: .seconds(20))
        #expect(resume.name == "RESUME")
        #expect(try await subscription.next()?.name == "STOP")
        await client.close()
        _ = await server.finished()
    }

    /// A client released without `close()` used to keep its thread and socket: the monitor stayed busy and the
    /// next client got no greeting. Now threads and descriptors go back to where they were.
    @Test func aClientReleasedWithoutCloseReleasesItsThreadAndSocket() async throws {
        await Probe.warmUp()
        let server = try FakeQMPServer(connections: 4) { peer in
            try peer.negotiate()
            try peer.serveStandard()
        }
        let threads = Probe.threadCount()
        let descriptors = Probe.openDescriptorCount()
        let names = Probe.openDescriptors()
        for _ in 0..<3 {
            let client = try await QMPClient.connect(to: server.address)
            #expect(try await client.execute("query-status", timeout: .seconds(20))["status"] == "running")
        }
        // The monitor is free again: the next client gets its greeting.
        do {
            var configuration = QMPClient.Configuration()
            configuration.greetingTimeout = .seconds(10)
            let next = try await QMPClient.connect(to: server.address, configuration: configuration)
            #expect(try await next.execute("query-status", timeout: .seconds(20))["status"] == "running")
            await next.close()
        }
        let settled = await Probe.eventually(within: .seconds(10)) {
            Probe.threadCount() <= threads && Probe.openDescriptorCount() <= descriptors
        }
        #expect(settled, "threads \(threads) → \(Probe.threadCount()), descriptors \(descriptors) → \(Probe.openDescriptorCount()): \(Set(Probe.openDescriptors()).subtracting(names).sorted())")
        _ = await server.finished()
    }

    // MARK: - Waits say what they lost

    /// More events than the history holds between a command and its wait: the wait still finds its event (the
    /// history keeps what waits since the last command need), and when even that bound is passed, the timeout
    /// says that events were evicted.
    @Test func waitsAfterManyEventsFindTheirEventOrSayItWasEvicted() async throws {
        let server = try FakeQMPServer(connections: 2) { peer in
            try peer.negotiate()
            let request = try peer.receive()!
            try peer.sendEvent("TARGET")
            for _ in 0..<5000 { try peer.sendEvent("NOISE") }
            try peer.reply(to: request)
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        _ = try await client.execute("device_del", arguments: ["id": "x"], timeout: .seconds(30))
        #expect(try await client.waitForEvent("TARGET", timeout: .seconds(10)).name == "TARGET")
        await client.close()

        var configuration = QMPClient.Configuration()
        configuration.eventHistorySize = 16
        let small = try await QMPClient.connect(to: server.address, configuration: configuration)
        _ = try await small.execute("device_del", arguments: ["id": "x"], timeout: .seconds(30))
        do {
            _ = try await small.waitForEvent("TARGET", timeout: .milliseconds(200))
            Issue.record("found an event that cannot be in a 16-event history")
        } catch let error as QMPTimeoutError {
            #expect(error.description.contains("evicted"), "\(error)")
        }
        await small.close()
        _ = await server.finished()
    }
}

/// A one-way signal between a test and a fake server's thread (a pipe): `wait` blocks that thread, with a limit,
/// until the test calls `open`.
final class Gate: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0)
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    func open() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    func wait(_ limit: Duration) throws {
        var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(limit.components.seconds * 1000)) == 1 else {
            throw TestSupportError("the gate did not open within \(limit)")
        }
        var byte: UInt8 = 0
        _ = read(readEnd, &byte, 1)
    }
}

/// The direct HMP socket client's connect is bounded the same way.
@Suite(.timeLimit(.minutes(1))) struct HMPConnectFaultTests {
    @Test func hmpConnectToAListenerThatNeverAcceptsEndsAtTheTimeLimit() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-hmp-backlog")
        let listener = try ListeningSocket(path: directory.file("hmp.sock"), backlog: 0)
        let clock = ContinuousClock()
        let start = clock.now
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    do {
                        _ = try await HMPSocketClient.connect(to: .unix(path: listener.path), bannerTimeout: .seconds(1))
                        return "connected"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var all: [String] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(clock.now - start < .seconds(4), "\(results)")
        #expect(!results.contains("connected"))
        withExtendedLifetime(listener) {}
    }
}

/// `qmpsh events | slow-reader` dropped 133 629 of 200 000 events without a word. Now every event is either
/// printed or counted in the `Dropped:` line on stderr.
@Suite(.timeLimit(.minutes(2))) struct EventsDropReportTests {
    @Test func everyEventIsPrintedOrReportedDropped() async throws {
        let total = 100_000
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            var bytes: [UInt8] = []
            for n in 0..<total {
                bytes += Array(#"{"event": "BURST", "data": {"n": \#(n)}, "timestamp": {"seconds": 1, "microseconds": 2}}"#.utf8)
                bytes += [13, 10]
                if bytes.count > 1 << 20 {
                    try peer.sendRaw(bytes)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
            try peer.sendRaw(bytes)
            peer.close()
        }
        let directory = try TemporaryDirectory(prefix: "qmpkit-drops")
        let fifo = directory.file("out")
        #expect(mkfifo(fifo, 0o600) == 0)
        let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
        // qmpsh writes into a pipe that is read only once the monitor has sent everything: a reader far slower
        // than the monitor.
        let run = Task {
            try await ChildProcess.run(
                ["/bin/sh", "-c", #"exec "$0" events "$1" > "$2""#, qmpsh, server.path, fifo], timeout: .seconds(90))
        }
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        #expect(reader >= 0)
        defer { close(reader) }
        _ = await server.finished()
        var lines = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var sawWriter = false
        while clock.now < deadline {
            var entry = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 1000)
            let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            if count > 0 {
                sawWriter = true
                lines += buffer[0..<count].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            } else if count == 0 && sawWriter {
                break  // the writer closed: qmpsh is done
            }
        }
        let result = try await run.value
        let dropped = result.standardError.split(separator: "\n").first { $0.hasPrefix("Dropped: ") }
            .flatMap { Int($0.dropFirst("Dropped: ".count).prefix { $0.isNumber }) } ?? 0
        #expect(lines + dropped == total, "printed \(lines), reported dropped \(dropped): \(result.standardError)")
        #expect(result.status == 3, "\(result)")  // the monitor closed the connection
        print("figure: qmpsh events into a pipe read late: \(lines) printed, \(dropped) reported dropped of \(total)")
    }
}
