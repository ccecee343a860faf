#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPTestSupport
import Testing

/// The fault matrix, protocol half: faults a real QEMU cannot produce on demand, from a scripted fake server.
/// Each test checks that no call hangs, that every pending call and wait gets an error, and that nothing leaks
/// (no descriptor, no pending call).
@Suite(.timeLimit(.minutes(1))) struct ProtocolFaultTests {
    /// Runs `scenario` and checks afterwards that descriptors are back to where they were. The scenario closes its
    /// client and checks `pendingCallCount`; a client's socket is released with the client object, so the count
    /// is taken once the scenario (and every reference to its client) is gone.
    static func withoutLeaks(_ name: String, _ scenario: () async throws -> Void) async throws {
        await Probe.warmUp()
        let before = Probe.openDescriptorCount()
        let names = Probe.openDescriptors()
        try await scenario()
        // The fake server's thread closes its end when its handler returns; the count settles right after.
        let settled = await Probe.eventually { Probe.openDescriptorCount() <= before }
        #expect(settled, "\(name): \(Probe.openDescriptorCount() - before) descriptors leaked: \(Set(Probe.openDescriptors()).subtracting(names).sorted())")
    }

    /// No call pending, then close.
    static func finish(_ client: QMPClient, _ server: FakeQMPServer) async {
        #expect(client.pendingCallCount == 0, "calls still pending")
        await client.close()
        _ = await server.finished()
    }

    @Test func socketClosedMidReplyFailsCallsWaitsAndSubscriptions() async throws {
        try await Self.withoutLeaks("closed mid-reply") {
            let closedAt = TestBox<ContinuousClock.Instant>()
            let server = try FakeQMPServer { peer in
                try peer.negotiate()
                for _ in 0..<20 { _ = try peer.receive() }
                try peer.sendRaw(#"{"return": {"status": "runn"#)
                closedAt.set(ContinuousClock.now)
                peer.close()
            }
            let client = try await QMPClient.connect(to: server.address)
            let subscription = client.events()
            let wait = Task { try await client.waitForEvent("NEVER", since: .now, timeout: .seconds(60)) }
            let results = await outcomes(of: 20) { _ in try await client.execute("query-status") }
            let elapsed = ContinuousClock.now - (closedAt.get() ?? .now)
            #expect(results.allSatisfy { ($0.failure as? QMPConnectionError)?.code == .closedByPeer })
            await #expect(throws: QMPConnectionError.self) { try await wait.value }
            await #expect(throws: QMPConnectionError.self) { try await subscription.next() }
            #expect(client.closedError?.message.contains("in the middle of a message") == true)
            #expect(elapsed < .seconds(1))
            report("socket closed mid-reply: 20 pending calls failed within \(elapsed.formatted) of the close")
            await Self.finish(client, server)
        }
    }

    /// Garbage, non-object and invalid-UTF-8 lines, and a reply with an id nobody sent: each is skipped and
    /// counted, and the real reply after them still reaches its caller. A *reply* cut short is still the answer to
    /// the call in front: that call fails with a protocol error, and the next call gets its own reply.
    @Test func badLinesAreSkippedAndTheReplyAfterThemArrives() async throws {
        try await Self.withoutLeaks("bad lines") {
            let server = try FakeQMPServer { peer in
                try peer.negotiate()
                let request = try peer.receive()!
                try peer.sendRaw("garbage that is not JSON\r\n")
                try peer.sendRaw("[1, 2, 3]\r\n42\r\n\"a string\"\r\nnull\r\n")
                try peer.sendRaw([0xFF, 0xFE, 0x00, 0x7B, 0x0D, 0x0A])  // invalid UTF-8 and a NUL
                try peer.send(["return": "stray", "id": "nobody-sent-this"])
                try peer.reply(to: request, "real")
                _ = try peer.receive()!
                try peer.sendRaw("{\"return\": {\"truncated\": tr\r\n")  // a reply cut short, depth still open
                try peer.sendEvent("NEXT")  // a new object at the start of a line shows the cut
                let third = try peer.receive()!
                try peer.reply(to: third, "third")
                _ = try peer.receive()
            }
            let client = try await QMPClient.connect(to: server.address)
            #expect(try await client.execute("query-status", timeout: .seconds(10)) == "real")
            await #expect(throws: QMPProtocolError.self) { try await client.execute("query-block", timeout: .seconds(10)) }
            #expect(try await client.execute("query-version", timeout: .seconds(10)) == "third")
            let anomalies = client.protocolAnomalies
            #expect(anomalies.total >= 7, "\(anomalies.recent)")
            #expect(!client.isClosed)
            report("bad lines: \(anomalies.total) anomalies recorded, reply delivered, connection kept")
            await Self.finish(client, server)
        }
    }

    @Test func eventsAndAStrayReplyBeforeTheGreeting() async throws {
        try await Self.withoutLeaks("events before the greeting") {
            let server = try FakeQMPServer { peer in
                try peer.sendEvent("EARLY", data: ["n": 1])
                try peer.send(["return": "before the greeting"])
                try peer.negotiate()
                let request = try peer.receive()!
                try peer.reply(to: request, "ok")
                _ = try peer.receive()
            }
            let client = try await QMPClient.connect(to: server.address)
            #expect(try await client.execute("query-status") == "ok")
            #expect(client.recentEvents().map(\.name) == ["EARLY"])
            #expect(client.protocolAnomalies.recent.contains { $0.reason == "reply before the greeting" })
            await Self.finish(client, server)
        }
    }

    /// A 16 MiB reply arrives whole; one over the configured limit is dropped as it arrives (the buffer does not
    /// grow past the limit), its call fails with a protocol error that says why, and the connection goes on.
    @Test func replyOverTheSizeLimitFailsThePendingCall() async throws {
        try await Self.withoutLeaks("reply over the limit") {
            let big = String(repeating: "q", count: 16 << 20)
            let server = try FakeQMPServer { peer in
                try peer.negotiate()
                let first = try peer.receive()!
                try peer.reply(to: first, .string(big))
                let second = try peer.receive()!
                try peer.reply(to: second, .string(big + big))
                let third = try peer.receive()!
                try peer.reply(to: third, "after")
                _ = try peer.receive(timeout: .seconds(5))
            }
            var configuration = QMPClient.Configuration()
            configuration.maximumMessageSize = 20 << 20
            let client = try await QMPClient.connect(to: server.address, configuration: configuration)
            let clock = ContinuousClock()
            let start = clock.now
            #expect(try await client.execute("query-big").stringValue?.utf8.count == 16 << 20)
            let sixteen = clock.now - start
            await #expect {
                try await client.execute("query-bigger")
            } throws: { error in
                guard let error = error as? QMPProtocolError else { return false }
                return error.reason.contains("larger than")
            }
            #expect(try await client.execute("query-after") == "after")
            report("16 MiB reply received in \(sixteen.formatted); 32 MiB reply over a 20 MiB limit: that call failed, the next one answered")
            await Self.finish(client, server)
        }
    }

    /// 100 000 events in a burst: a consumer that does not read loses only from its own buffer (counted), the
    /// history stays at its bound, a fast consumer sees every event, and memory does not grow with the burst.
    @Test func hundredThousandEventsWithSlowConsumers() async throws {
        let total = 100_000
        try await Self.withoutLeaks("event burst") {
            let server = try FakeQMPServer { peer in
                try peer.negotiate()
                let request = try peer.receive()!
                var bytes: [UInt8] = []
                for n in 0..<total {
                    JSON.object([
                        "event": "BURST", "data": ["n": .int(Int64(n)), "pad": "0123456789abcdef0123456789abcdef"],
                        "timestamp": ["seconds": 1_700_000_000, "microseconds": .int(Int64(n % 1_000_000))],
                    ]).write(into: &bytes)
                    bytes += [13, 10]
                    if bytes.count > 1 << 20 {
                        try peer.sendRaw(bytes)
                        bytes.removeAll(keepingCapacity: true)
                    }
                }
                try peer.sendRaw(bytes)
                try peer.reply(to: request)
                _ = try peer.receive()
            }
            let client = try await QMPClient.connect(to: server.address)
            let stalled = client.events(bufferSize: 1024)
            let newest = client.events(bufferSize: 100, overflow: .dropNewest)
            let fast = client.events(bufferSize: 8192)
            let counter = Task {
                var seen = 0
                var last = -1
                var inOrder = true
                for try await event in fast {
                    let n = event.data["n"]?.intValue ?? -1
                    if n <= last { inOrder = false }
                    last = n
                    seen += 1
                    if n == total - 1 { break }
                }
                return (seen, inOrder)
            }
            let rssBefore = Probe.residentKiB()
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await client.execute("go", timeout: .seconds(30))  // the reply follows the burst
            let elapsed = clock.now - start
            let (seen, inOrder) = try await counter.value
            let rssAfter = Probe.residentKiB()
            #expect(inOrder)
            #expect(seen + fast.droppedCount == total, "the reading consumer lost events without counting them")
            #expect(stalled.droppedCount == total - 1024)
            #expect(newest.droppedCount == total - 100)
            #expect(try await stalled.next()?.data["n"]?.intValue == total - 1024)
            #expect(try await newest.next()?.data["n"]?.intValue == 0)
            // The history keeps the events since the last command (what a following wait counts), up to 8× its size.
            #expect(client.recentEvents().count <= 4096 * 8)
            // Buffers and history hold ~13 000 events at most; keeping all 100 000 would show as ~100 MB.
            #expect(rssAfter - rssBefore < 96 * 1024, "RSS grew by \(rssAfter - rssBefore) KiB")
            report(
                "100000-event burst: delivered in \(elapsed.formatted); stalled consumer dropped \(stalled.droppedCount), "
                    + "drop-newest consumer dropped \(newest.droppedCount), reading consumer got \(seen) "
                    + "(dropped \(fast.droppedCount)), history kept \(client.recentEvents().count), "
                    + "RSS \(rssBefore) → \(rssAfter) KiB")
            stalled.cancel()
            newest.cancel()
            await Self.finish(client, server)
        }
    }

    /// Connecting to a socket file that exists but does not accept yet (QEMU starting) fails at once with a clear
    /// error; a socket that accepts but never greets (another client holds the monitor) ends at the greeting
    /// timeout.
    @Test func connectWhileTheMonitorIsNotAcceptingYet() async throws {
        let before = Probe.openDescriptorCount()
        let directory = try TemporaryDirectory(prefix: "qmpkit-rel")
        let path = directory.file("qmp.sock")
        // Bound but not listening: what a starting QEMU's socket looks like for a moment.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            try await QMPClient.connect(to: .unix(path: path))
        } throws: { error in
            (error as? QMPConnectionError)?.code == .refused
        }
        let refusedAfter = clock.now - start
        #expect(refusedAfter < .seconds(1))
        // Listening but never accepting: the kernel queues the client, no greeting comes.
        #expect(listen(fd, 4) == 0)
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = .milliseconds(300)
        let queuedStart = clock.now
        await #expect {
            try await QMPClient.connect(to: .unix(path: path), configuration: configuration)
        } throws: { error in
            (error as? QMPConnectionError)?.code == .noGreeting
        }
        let queuedAfter = clock.now - queuedStart
        #expect(queuedAfter < .seconds(2))
        close(fd)
        directory.remove()
        #expect(await Probe.eventually { Probe.openDescriptorCount() <= before })
        report("connect to a bound, not listening socket: refused after \(refusedAfter.formatted); "
            + "to one that never greets: noGreeting after \(queuedAfter.formatted) (limit 300 ms)")
    }
}
