#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMP
import QMPTestSupport
import Testing

/// The fault matrix, real-QEMU half: faults a real `qemu-system-x86_64` can produce. These tests need QEMU and
/// fail (never skip) where it is missing.
@Suite(.timeLimit(.minutes(2))) struct QEMUFaultTests {
    @Test func sigkillMidCallFailsCallsWaitsAndSubscriptionsAtOnce() async throws {
        await Probe.warmUp()
        let before = Probe.openDescriptorCount()
        do {
            let qemu = try QEMUProcess.launch()
            let client = try await qemu.connect()
            qemu.kill(SIGSTOP)  // QEMU stops answering: everything below stays pending
            let calls = Task { await outcomes(of: 50) { _ in try await client.execute("query-status") } }
            let wait = Task { try await client.waitForEvent("NEVER", since: .now, timeout: .seconds(60)) }
            let subscription = client.events()
            // QEMU is stopped: calls can only become pending here, nothing can complete them.
            try await Probe.yieldUntil("50 pending calls") { client.pendingCallCount == 50 }
            let clock = ContinuousClock()
            let killed = clock.now
            qemu.kill(SIGKILL)
            let results = await calls.value
            let elapsed = clock.now - killed
            #expect(results.allSatisfy { ($0.failure as? QMPConnectionError)?.code == .closedByPeer })
            await #expect(throws: QMPConnectionError.self) { try await wait.value }
            await #expect(throws: QMPConnectionError.self) { try await subscription.next() }
            #expect(elapsed < .milliseconds(500), "pending calls failed after \(elapsed)")
            #expect(client.pendingCallCount == 0)
            // Later calls fail at once, without touching the socket.
            let later = clock.now
            await #expect(throws: QMPConnectionError.self) { try await client.execute("query-status") }
            #expect(clock.now - later < .milliseconds(250))
            _ = try await qemu.waitForExit()
            await client.close()
            report("QEMU SIGKILLed mid-call: 50 pending calls, a wait and a subscription failed within \(elapsed.formatted)")
        }
        #expect(await Probe.eventually { Probe.openDescriptorCount() <= before },
                "descriptors leaked: \(Probe.openDescriptorCount() - before)")
    }

    /// `quit` succeeds even though QEMU closes the socket right after (EOF); a call sent after it fails with
    /// `closedByPeer` instead of hanging.
    @Test func eofAfterQuit() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        // Stopped, QEMU reads nothing: `quit` and the call after it are both pending, in that order, when it resumes.
        qemu.kill(SIGSTOP)
        let quit = Task { try await client.execute("quit") }
        try await Probe.yieldUntil("quit pending") { client.pendingCallCount == 1 }
        let after = Task { try await client.execute("query-status") }
        try await Probe.yieldUntil("query-status pending") { client.pendingCallCount == 2 }
        qemu.kill(SIGCONT)
        #expect(try await quit.value == [:])
        switch await after.result {
        case .success(let value):
            #expect(value["status"] != nil)  // QEMU answered it before closing
        case .failure(let error):
            #expect((error as? QMPConnectionError)?.code == .closedByPeer, "\(error)")
        }
        #expect(try await qemu.waitForExit() == 0)
        #expect(client.closedError?.code == .closedByPeer)
        #expect(client.pendingCallCount == 0)
        await client.close()
    }

    /// 1 000 concurrent calls, a seeded random third of them cancelled at random moments: every call ends
    /// (with its own reply or `CancellationError`), replies are never misrouted, nothing stays pending.
    @Test func thousandConcurrentCallsWithRandomCancellations() async throws {
        await Probe.warmUp()
        let before = Probe.openDescriptorCount()
        do {
            let qemu = try QEMUProcess.launch()
            let client = try await qemu.connect()
            var random = FuzzRandom(seed: Fuzz.seed)
            let tasks = (0..<1000).map { n in
                Task { () -> Bool in
                    // Alternate commands so a misrouted reply shows as a wrong shape.
                    if n % 2 == 0 {
                        return try await client.execute("query-status")["status"] == "running"
                    } else {
                        return try await client.execute("query-name").objectValue != nil
                    }
                }
            }
            let clock = ContinuousClock()
            let start = clock.now
            for task in tasks where random.chance(1.0 / 3.0) {
                if random.chance(0.5) { await Task.yield() }
                task.cancel()
            }
            var completed = 0
            var cancelled = 0
            for task in tasks {
                do {
                    #expect(try await task.value, "a reply reached the wrong caller")
                    completed += 1
                } catch is CancellationError {
                    cancelled += 1
                }
            }
            let elapsed = clock.now - start
            #expect(completed + cancelled == 1000)
            #expect(client.pendingCallCount == 0)
            #expect(try await client.execute("query-status")["running"] == true)
            await client.close()
            report("1000 concurrent calls, random cancellations: \(completed) completed, \(cancelled) cancelled in \(elapsed.formatted); 0 pending")
        }
        #expect(await Probe.eventually { Probe.openDescriptorCount() <= before },
                "descriptors leaked: \(Probe.openDescriptorCount() - before)")
    }

    /// QEMU creating its own monitor socket: before the file exists the connect fails with `notFound`, while it
    /// exists but does not accept yet with `refused` — each attempt at once — and then it connects.
    @Test func connectWhileQEMUIsStarting() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-rel")
        let path = directory.file("qmp.sock")
        let qemu = try Subprocess.launch(
            [QEMUProcess.defaultBinary, "-machine", "none", "-display", "none", "-nodefaults",
             "-qmp", "unix:\(path),server=on,wait=off"],
            dieWithParent: true)
        let clock = ContinuousClock()
        let start = clock.now
        var failures: [QMPConnectionError.Code: Int] = [:]
        var slowest = Duration.zero
        var client: QMPClient?
        while client == nil, clock.now - start < .seconds(30) {
            let attempt = clock.now
            do {
                client = try await QMPClient.connect(to: .unix(path: path))
            } catch let error as QMPConnectionError {
                #expect(error.code == .notFound || error.code == .refused, "\(error)")
                failures[error.code, default: 0] += 1
                slowest = max(slowest, clock.now - attempt)
                await Task.yield()
            }
        }
        let connected = try #require(client)
        #expect(try await connected.execute("query-status")["status"] != nil)
        #expect(slowest < .milliseconds(500), "a connect attempt took \(slowest)")
        report("connect while QEMU starts: \(failures.map { "\($0.value) × \($0.key)" }.sorted().joined(separator: ", ")) "
            + "(slowest failure \(slowest.formatted)), connected after \((clock.now - start).formatted)")
        _ = try await connected.execute("quit")
        _ = await qemu.wait(timeout: .seconds(10))
        await connected.close()
    }

    /// Another client holds the monitor: a second client with a short greeting timeout gets `noGreeting` and a
    /// message that says why; one that waits longer is served as soon as the first leaves.
    @Test func anotherClientHoldsTheMonitor() async throws {
        let qemu = try QEMUProcess.launch()
        let first = try await qemu.connect()
        var impatient = QMPClient.Configuration()
        impatient.greetingTimeout = .milliseconds(300)
        await #expect {
            try await qemu.connect(configuration: impatient)
        } throws: { error in
            guard let error = error as? QMPConnectionError else { return false }
            return error.code == .noGreeting && error.message.contains("another client may hold the monitor")
        }
        let second = Task { try await qemu.connect() }
        #expect(try await first.execute("query-status")["running"] != nil)
        await first.close()
        let clock = ContinuousClock()
        let released = clock.now
        let client = try await second.value
        let served = clock.now - released
        #expect(try await client.execute("query-status")["running"] != nil)
        report("monitor held by another client: second client served \(served.formatted) after the first left")
        await client.close()
    }
}
