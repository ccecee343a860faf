#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMP
import QMPTestSupport

/// The client against a scripted fake server: protocol situations a real QEMU cannot produce on demand.
@Suite(.timeLimit(.minutes(1))) struct ClientProtocolTests {
    @Test func negotiatesAndRunsCommands() async throws {
        let server = try FakeQMPServer.standard()
        let client = try await QMPClient.connect(to: server.address)
        #expect(client.greeting.version.description == "7.2.22")
        #expect(client.enabledCapabilities.isEmpty)
        let status = try await client.execute("query-status")
        #expect(status["status"] == "running")
        await #expect(throws: QMPError(errorClass: .commandNotFound, message: "The command nope has not been found", command: "nope")) {
            try await client.execute("nope")
        }
        // The connection stays usable after an error reply.
        #expect(try await client.execute("query-status")["running"] == true)
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func negotiatesOutOfBandWhenAskedAndOffered() async throws {
        let server = try FakeQMPServer { peer in
            try peer.sendGreeting()
            let request = try peer.receive()!
            guard request["arguments"] == ["enable": ["oob"]] else { throw TestSupportError("no oob: \(JSON.object(request))") }
            try peer.reply(to: request)
            // An out-of-band command carries an id; answer it before an earlier in-band one.
            let inBand = try peer.receive()!
            let outOfBand = try peer.receive()!
            guard outOfBand["exec-oob"] == "x-oob", outOfBand["id"] != nil else { throw TestSupportError("bad oob request") }
            try peer.reply(to: outOfBand, "oob-answer")
            try peer.reply(to: inBand, "in-band-answer")
            _ = try peer.receive()
        }
        var configuration = QMPClient.Configuration()
        configuration.enableOutOfBand = true
        let client = try await QMPClient.connect(to: server.address, configuration: configuration)
        #expect(client.enabledCapabilities == ["oob"])
        async let slow = client.execute("query-slow")
        try await Task.sleep(for: .milliseconds(20))  // order the two sends; not a wait for the server
        async let fast = client.execute("x-oob", outOfBand: true)
        #expect(try await fast == "oob-answer")
        #expect(try await slow == "in-band-answer")
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func matchesRepliesByIDWhenTheyComeOutOfOrder() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            var requests: [JSONObject] = []
            for _ in 0..<3 { requests.append(try peer.receive()!) }
            for request in requests.reversed() {
                try peer.reply(to: request, request["arguments"]?["n"] ?? nil)
            }
            _ = try peer.receive()
        }
        var configuration = QMPClient.Configuration()
        configuration.sendsIDs = true
        let client = try await QMPClient.connect(to: server.address, configuration: configuration)
        let results = try await withThrowingTaskGroup(of: (Int, JSON).self) { group in
            for n in 0..<3 {
                group.addTask { (n, try await client.execute("echo", arguments: ["n": .int(Int64(n))])) }
            }
            var results: [Int: JSON] = [:]
            for try await (n, value) in group { results[n] = value }
            return results
        }
        #expect(results == [0: 0, 1: 1, 2: 2])
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func handlesEventsBeforeTheGreetingAndRepliesWithoutID() async throws {
        let server = try FakeQMPServer { peer in
            try peer.sendEvent("EARLY", data: ["n": 1])
            try peer.negotiate()
            let request = try peer.receive()!
            // A reply without the id the request carried (as QEMU does for JSON parse errors) goes to the oldest call.
            try peer.send(["return": "no-id"])
            _ = request
            _ = try peer.receive()
        }
        var configuration = QMPClient.Configuration()
        configuration.sendsIDs = true
        let client = try await QMPClient.connect(to: server.address, configuration: configuration)
        #expect(try await client.execute("anything") == "no-id")
        let early = client.recentEvents()
        #expect(early.map(\.name) == ["EARLY"])
        #expect(early.first?.sequence == 1)
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    /// Text that is not a message and replies nobody waits for are skipped and counted. A reply that does not
    /// parse still answers the call in front (which fails with a protocol error), so matching never shifts.
    @Test func survivesGarbageAndUnknownIDs() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let request = try peer.receive()!
            try peer.sendRaw("this is not json\n[1,2,3]\n")
            try peer.send(["return": "stray", "id": "nobody-sent-this"])
            try peer.send(["neither": "reply nor event"])
            try peer.reply(to: request, "real")
            _ = try peer.receive()!
            try peer.sendRaw("{\"return\": {\"broken\": }}\n")
            let third = try peer.receive()!
            try peer.reply(to: third, "third")
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        #expect(try await client.execute("query-status") == "real")
        await #expect(throws: QMPProtocolError.self) { try await client.execute("query-block") }
        #expect(try await client.execute("query-version") == "third")
        let anomalies = client.protocolAnomalies
        #expect(anomalies.total == 4)
        #expect(anomalies.recent.map(\.reason).contains("reply with an id no pending command has"))
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func receivesASixteenMebibyteReply() async throws {
        let big = String(repeating: "q", count: 16 << 20)
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let request = try peer.receive()!
            try peer.reply(to: request, .string(big))
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let value = try await client.execute("query-big")
        #expect(value.stringValue?.utf8.count == 16 << 20)
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func socketClosedMidReplyFailsEveryPendingCall() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            for _ in 0..<3 { _ = try peer.receive() }
            try peer.sendRaw(#"{"return": {"status": "runn"#)
            peer.close()
        }
        let client = try await QMPClient.connect(to: server.address)
        let clock = ContinuousClock()
        let start = clock.now
        let errors = await withTaskGroup(of: (any Error)?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do {
                        _ = try await client.execute("query-status")
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var errors: [(any Error)?] = []
            for await error in group { errors.append(error) }
            return errors
        }
        #expect(clock.now - start < .seconds(2))
        #expect(errors.count == 3)
        for error in errors {
            #expect((error as? QMPConnectionError)?.code == .closedByPeer)
        }
        #expect(client.isClosed)
        // Later calls fail at once too.
        await #expect(throws: QMPConnectionError.self) { try await client.execute("query-status") }
        await client.close()
    }

    @Test func quitAnsweredByEndOfStreamIsSuccess() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            _ = try peer.receive()
            peer.close()  // QEMU can exit before its reply to quit is read
        }
        let client = try await QMPClient.connect(to: server.address)
        #expect(try await client.execute("quit") == [:])
        #expect(client.closedError?.code == .closedByPeer)
        await client.close()
    }

    @Test func noGreetingIsAClearError() async throws {
        let server = try FakeQMPServer { peer in
            _ = try peer.receive(timeout: .seconds(5))  // holds the connection, says nothing
        }
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = .milliseconds(200)
        await #expect {
            try await QMPClient.connect(to: server.address, configuration: configuration)
        } throws: { error in
            (error as? QMPConnectionError)?.code == .noGreeting
        }
        _ = await server.finished()
    }

    @Test func missingSocketIsNotFound() async {
        await #expect {
            try await QMPClient.connect(to: .unix(path: "/tmp/qmpkit-no-such-dir/x.sock"))
        } throws: { error in
            (error as? QMPConnectionError)?.code == .notFound
        }
    }

    @Test func timeoutLeavesTheConnectionUsable() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let slow = try peer.receive()!
            let next = try peer.receive()!
            try peer.reply(to: slow, "late")  // arrives after the caller gave up; must be dropped, not misrouted
            try peer.reply(to: next, "second")
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        await #expect(throws: QMPTimeoutError.self) {
            try await client.execute("slow", timeout: .milliseconds(100))
        }
        #expect(try await client.execute("next") == "second")
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func deadlinesOfManyCallsShareOneTimerAndEachFiresOnTime() async throws {
        // Answers every command at once except `hang`, which is never answered.
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            while let request = try peer.receive() {
                if request["execute"] != "hang" { try peer.reply(to: request, [:]) }
            }
        }
        let client = try await QMPClient.connect(to: server.address)
        // Many quick calls with a long limit arm the timer far away...
        for _ in 0..<200 { _ = try await client.execute("quick", timeout: .seconds(60)) }
        // ...then calls with shorter limits must still fire on time, the earliest first, in flight together.
        let clock = ContinuousClock()
        let start = clock.now
        async let late: Duration = {
            do { _ = try await client.execute("hang", timeout: .milliseconds(400)) } catch is QMPTimeoutError {}
            return clock.now - start
        }()
        async let early: Duration = {
            do { _ = try await client.execute("hang", timeout: .milliseconds(150)) } catch is QMPTimeoutError {}
            return clock.now - start
        }()
        let (earlyTime, lateTime) = try await (early, late)
        #expect(earlyTime >= .milliseconds(150) && earlyTime < .milliseconds(350), "\(earlyTime)")
        #expect(lateTime >= .milliseconds(400) && lateTime < .milliseconds(700), "\(lateTime)")
        #expect(client.pendingCallCount == 0)
        await client.close()
        _ = await server.finished()
    }

    @Test func cancellationEndsTheCallAndKeepsOrder() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let first = try peer.receive()!
            let second = try peer.receive()!
            try peer.reply(to: first, "first")
            try peer.reply(to: second, "second")
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let task = Task { try await client.execute("first") }
        try await Task.sleep(for: .milliseconds(50))  // let the first request go out first; not a wait for a result
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await client.execute("second") == "second")
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func eventsReachEverySubscriberAndDropsAreCounted() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let request = try peer.receive()!
            for n in 0..<100 { try peer.sendEvent(n % 2 == 0 ? "EVEN" : "ODD", data: ["n": .int(Int64(n))]) }
            try peer.reply(to: request)
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let all = client.events()
        let even = client.events(.names("EVEN"))
        let small = client.events(bufferSize: 10)
        let smallNewest = client.events(bufferSize: 10, overflow: .dropNewest)
        _ = try await client.execute("go")  // the reply follows the 100 events, so all are delivered by now
        var received: [Int] = []
        for _ in 0..<100 { received.append(try await all.next()!.data["n"]!.intValue!) }
        #expect(received == Array(0..<100))
        var evens: [Int] = []
        for _ in 0..<50 { evens.append(try await even.next()!.data["n"]!.intValue!) }
        #expect(evens == Array(stride(from: 0, to: 100, by: 2)))
        #expect(small.droppedCount == 90)
        #expect(try await small.next()?.data["n"] == 90)
        #expect(smallNewest.droppedCount == 90)
        #expect(try await smallNewest.next()?.data["n"] == 0)
        #expect(all.droppedCount == 0)
        await client.close()
        #expect(try await all.next() == nil)
        #expect(await server.finished().isEmpty)
    }

    @Test func waitForEventCannotMissAnEventThatCameBeforeTheWait() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let old = try peer.receive()!
            try peer.sendEvent("DEVICE_DELETED", data: ["device": "old"])
            try peer.reply(to: old)
            let request = try peer.receive()!
            try peer.reply(to: request)
            // The event comes before the client even starts waiting.
            try peer.sendEvent("DEVICE_DELETED", data: ["path": "/machine/peripheral/vd1/virtio-backend"])
            try peer.sendEvent("DEVICE_DELETED", data: ["device": "vd1", "path": "/machine/peripheral/vd1"])
            let marker = try peer.receive()!
            try peer.reply(to: marker)
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        _ = try await client.execute("before")
        let cursor = client.eventCursor()
        _ = try await client.execute("device_del", arguments: ["id": "vd1"])
        // The events may already be in by now; events since the last command count, so the wait cannot miss them.
        let event = try await client.waitForEvent("DEVICE_DELETED", matching: ["device": "vd1"], timeout: .seconds(5))
        #expect(event.data["path"] == "/machine/peripheral/vd1")
        _ = try await client.execute("marker")
        // Now "since the last command" would see nothing, but an explicit cursor still finds it:
        let again = try await client.waitForEvent("DEVICE_DELETED", matching: ["device": "vd1"], since: .cursor(cursor), timeout: .seconds(5))
        #expect(again == event)
        // The event from before the cursor does not count.
        await #expect(throws: QMPTimeoutError.self) {
            try await client.waitForEvent("DEVICE_DELETED", matching: ["device": "old"], since: .cursor(cursor), timeout: .milliseconds(100))
        }
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func waitForEventAfterLastCommand() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let request = try peer.receive()!
            try peer.reply(to: request)
            try peer.sendEvent("STOP")
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        _ = try await client.execute("stop")
        let stop = try await client.waitForEvent("STOP", timeout: .seconds(5))
        #expect(stop.name == "STOP")
        await client.close()
    }

    @Test func pendingWaitsFailWhenTheMonitorGoesAway() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            _ = try peer.receive()
            peer.close()
        }
        let client = try await QMPClient.connect(to: server.address)
        let subscription = client.events()
        let wait = Task { try await client.waitForEvent("NEVER", since: .now, timeout: .seconds(30)) }
        _ = try? await client.execute("trigger-close")
        await #expect(throws: QMPConnectionError.self) { try await wait.value }
        await #expect(throws: QMPConnectionError.self) { try await subscription.next() }
        await client.close()
    }

    @Test func passesFileDescriptors() async throws {
        let received = TestBox<Int32>()
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let (request, fds) = try peer.receiveWithFileDescriptors()
            received.set(fds.count == 1 ? 1 : 0)
            for fd in fds { closeDescriptor(fd) }
            try peer.reply(to: request!)
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let (a, b) = try SocketConnection.pair()
        _ = try await client.execute("getfd", arguments: ["fdname": "x"], fileDescriptors: [a.fileDescriptor])
        _ = b
        await client.close()
        #expect(await server.finished().isEmpty)
        #expect(received.get() == 1)
    }
}

/// The transports other than a Unix socket path.
@Suite(.timeLimit(.minutes(1))) struct TransportTests {
    @Test func tcp() async throws {
        let listener = try ListeningSocket.tcpLoopback()
        let server = try FakeQMPServer(listener: listener) { peer in
            try peer.negotiate()
            try peer.serveStandard()
        }
        let address = try MonitorAddress(parsing: "tcp:127.0.0.1:\(listener.port)")
        let client = try await QMPClient.connect(to: address)
        #expect(try await client.execute("query-status")["status"] == "running")
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func tcpRefused() async throws {
        let listener = try ListeningSocket.tcpLoopback()
        let port = listener.port
        listener.shutdown()
        await #expect {
            try await QMPClient.connect(to: .tcp(host: "127.0.0.1", port: port))
        } throws: { error in
            (error as? QMPConnectionError)?.code == .refused
        }
    }

    @Test func connectedDescriptor() async throws {
        let (clientEnd, serverEnd) = try SocketConnection.pair()
        let done = TestBox<Bool>()
        startServing(serverEnd, done: done)
        // `fd:N` adopts a descriptor this process already holds (e.g. inherited from a parent).
        let adopted = dup(clientEnd.fileDescriptor)
        let client = try await QMPClient.connect(to: try MonitorAddress(parsing: "fd:\(adopted)"))
        #expect(try await client.execute("query-version")["qemu"]?["major"] == 7)
        await client.close()
        _ = clientEnd
    }

    @Test func descriptorThatIsNotASocket() async {
        await #expect {
            try await QMPClient.connect(to: .fileDescriptor(0 - 1))
        } throws: { error in
            (error as? QMPConnectionError)?.code == .socketError
        }
    }
}

/// Serves the standard answers on one end of a socket pair, on a thread of its own.
func startServing(_ connection: SocketConnection, done: TestBox<Bool>) {
    startThread {
        let peer = FakeQMPPeer(connection: connection)
        try? peer.negotiate()
        try? peer.serveStandard()
        done.set(true)
    }
}
