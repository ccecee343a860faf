#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMP
import QMPTestSupport

/// The client against a real `qemu-system-x86_64`. These tests need QEMU: where it is missing they fail (they
/// never skip), with a message that says how to install it.
@Suite(.timeLimit(.minutes(2))) struct RealQEMUTests {
    @Test func negotiatesAndQueries() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        // The oldest QEMU of the supported range (QMPKIT_QEMU picks one of the matrix: 5.2, 7.2, 10.0, 11.1).
        #expect(client.greeting.version >= QEMUVersion(major: 5, minor: 2, micro: 0))
        #expect(client.greeting.version.major == (try await QEMUUnderTest.version()).major)
        #expect(client.greeting.capabilities.contains("oob"))
        let version = try await client.execute("query-version")
        #expect(version["qemu"]?["major"]?.intValue == client.greeting.version.major)
        let status = try await client.execute("query-status")
        #expect(status["status"] == "running" || status["status"] == "prelaunch")
        let commands = try await client.execute("query-commands")
        #expect(commands.arrayValue?.contains { $0["name"] == "device_add" } == true)
        await client.close()
    }

    @Test func negotiatesOutOfBand() async throws {
        let qemu = try QEMUProcess.launch()
        var configuration = QMPClient.Configuration()
        configuration.enableOutOfBand = true
        let client = try await qemu.connect(configuration: configuration)
        #expect(client.enabledCapabilities == ["oob"])
        // migrate-recover is allowed out of band; without an incoming migration it fails, which proves it ran.
        await #expect(throws: QMPError.self) {
            try await client.execute("migrate-recover", arguments: ["uri": "unix:/nonexistent"], outOfBand: true)
        }
        #expect(try await client.execute("query-status")["running"] != nil)
        await client.close()
    }

    @Test func errorsCarryTheirClass() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        await #expect {
            try await client.execute("no-such-command")
        } throws: { error in
            guard let error = error as? QMPError else { return false }
            return error.errorClass == .commandNotFound && error.description == "CommandNotFound: The command no-such-command has not been found"
        }
        await #expect {
            try await client.execute("device_del", arguments: ["id": "nope"])
        } throws: { error in
            (error as? QMPError)?.errorClass == .deviceNotFound
        }
        await #expect {
            try await client.execute("qom-get", arguments: ["path": "/machine", "property": "no-such-property"])
        } throws: { error in
            (error as? QMPError)?.errorClass == .genericError
        }
        await client.close()
    }

    @Test func thousandConcurrentCalls() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let names = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for n in 0..<1000 {
                group.addTask {
                    // Alternate commands so a misrouted reply would show as a wrong shape.
                    if n % 2 == 0 {
                        return (n, try await client.execute("query-status")["status"]?.stringValue ?? "?")
                    } else {
                        return (n, try await client.execute("query-name").objectValue.map { _ in "name" } ?? "?")
                    }
                }
            }
            var results = [String](repeating: "", count: 1000)
            for try await (n, name) in group { results[n] = name }
            return results
        }
        for (n, name) in names.enumerated() {
            #expect(name == (n % 2 == 0 ? "running" : "name"), "call \(n)")
        }
        await client.close()
    }

    @Test func concurrentCallsWithRandomCancellations() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        var generator = SystemRandomNumberGenerator()
        let tasks = (0..<200).map { _ in Task { try await client.execute("query-status") } }
        for task in tasks where Bool.random(using: &generator) { task.cancel() }
        var completed = 0
        for task in tasks {
            do {
                #expect(try await task.value["running"] == true)
                completed += 1
            } catch is CancellationError {
            }
        }
        // Whatever was cancelled, the connection still answers in order.
        #expect(try await client.execute("query-status")["running"] == true)
        #expect(completed <= 200)
        await client.close()
    }

    @Test func eventsFromStopAndCont() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let events = client.events(.names("STOP", "RESUME"))
        _ = try await client.execute("stop")
        let stopped = try await client.waitForEvent("STOP", timeout: .seconds(10))
        #expect(stopped.timestamp.seconds > 0)
        #expect(try await client.execute("query-status")["status"] == "paused")
        _ = try await client.execute("cont")
        _ = try await client.waitForEvent("RESUME", timeout: .seconds(10))
        #expect(try await events.next()?.name == "STOP")
        #expect(try await events.next()?.name == "RESUME")
        await client.close()
    }

    @Test func fileDescriptorPassingWithAddFd() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let image = qemu.directory.file("disk with spaces.raw")
        let fd = open(image, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(fd >= 0)
        #expect(ftruncate(fd, 1 << 20) == 0)
        let info = try await client.execute("add-fd", arguments: ["opaque": "test disk"], fileDescriptors: [fd])
        close(fd)
        let fdset = try #require(info["fdset-id"]?.intValue)
        // QEMU opens the image through the descriptor it was given, never by name.
        _ = try await client.execute("blockdev-add", arguments: [
            "driver": "raw", "node-name": "passed",
            "file": ["driver": "file", "filename": .string("/dev/fdset/\(fdset)")],
        ])
        let nodes = try await client.execute("query-named-block-nodes")
        let node = try #require(nodes.arrayValue?.first { $0["node-name"] == "passed" })
        #expect(node["image"]?["virtual-size"]?.intValue == 1 << 20)
        let fdsets = try await client.execute("query-fdsets")
        #expect(fdsets.arrayValue?.first?["fds"]?[0]?["opaque"] == "test disk")
        _ = try await client.execute("blockdev-del", arguments: ["node-name": "passed"])
        await client.close()
    }

    @Test func fileDescriptorPassingWithGetfd() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let (mine, theirs) = try SocketConnection.pair()
        _ = try await client.execute("getfd", arguments: ["fdname": "sock"], fileDescriptors: [theirs.fileDescriptor])
        // The named descriptor exists: closing it works once, the second time it is unknown.
        _ = try await client.execute("closefd", arguments: ["fdname": "sock"])
        await #expect(throws: QMPError.self) { try await client.execute("closefd", arguments: ["fdname": "sock"]) }
        _ = mine
        await client.close()
    }

    @Test func qemuKilledMidCallFailsPendingCallsAtOnce() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        qemu.kill(SIGSTOP)  // QEMU stops answering: the calls below stay pending
        let calls = (0..<5).map { _ in Task { try await client.execute("query-status") } }
        let subscription = client.events()
        while client.pendingCallCount < 5 { await Task.yield() }
        let clock = ContinuousClock()
        let killed = clock.now
        qemu.kill(SIGKILL)
        for call in calls {
            await #expect {
                try await call.value
            } throws: { error in
                (error as? QMPConnectionError)?.code == .closedByPeer
            }
        }
        let elapsed = clock.now - killed
        #expect(elapsed < .milliseconds(100), "pending calls failed after \(elapsed)")
        await #expect(throws: QMPConnectionError.self) { try await subscription.next() }
        try await qemu.waitForExit()
        await client.close()
    }

    @Test func quitEndsTheSessionCleanly() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        _ = try await client.execute("quit")
        let shutdown = try await client.waitForEvent("SHUTDOWN", timeout: .seconds(10))
        #expect(shutdown.data["reason"] == "host-qmp-quit")
        let status = try await qemu.waitForExit()
        #expect(status == 0)
        await client.close()
    }

    @Test func secondClientWaitsForTheMonitor() async throws {
        let qemu = try QEMUProcess.launch()
        let first = try await qemu.connect()
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = .milliseconds(300)
        await #expect {
            try await qemu.connect(configuration: configuration)
        } throws: { error in
            guard let error = error as? QMPConnectionError else { return false }
            return error.code == .noGreeting && error.message.contains("another client may hold the monitor")
        }
        await first.close()
    }

    @Test func noFileDescriptorsLeak() async throws {
        let qemu = try QEMUProcess.launch()
        let before = openDescriptorCount()
        for _ in 0..<200 {
            let client = try await qemu.connect()
            _ = try await client.execute("query-status")
            await client.close()
        }
        // Other tests run alongside and open descriptors of their own; a leak here would be one per cycle (200).
        #expect(openDescriptorCount() - before < 20)
    }
}

/// Descriptors open in this process.
func openDescriptorCount() -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while readdir(directory) != nil { count += 1 }
    return count
}

/// Loops run on the client's I/O thread (`withAffinity`).
@Suite(.timeLimit(.minutes(1))) struct AffinityTests {
    @Test func commandsAndEventsOnTheIOThread() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let statuses = try await client.withAffinity {
            var statuses: [JSON] = []
            for _ in 0..<100 { statuses.append(try await client.execute("query-status")["status"] ?? nil) }
            _ = try await client.execute(Stop())
            _ = try await client.waitForEvent(StopEvent.self, timeout: .seconds(10))
            return statuses
        }
        #expect(statuses.count == 100)
        #expect(statuses.allSatisfy { $0 == "running" })
        // Many in flight from inside the affine scope.
        let count = try await client.withAffinity {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 { group.addTask { try await client.execute(QueryStatus()).status == .paused } }
                var count = 0
                for try await paused in group where paused { count += 1 }
                return count
            }
        }
        #expect(count == 200)
        await client.close()
    }

    @Test func affineCallFailsWhenQEMUDies() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        qemu.kill(SIGSTOP)
        let call = Task { try await client.withAffinity { try await client.execute("query-status") } }
        while client.pendingCallCount < 1 { await Task.yield() }
        qemu.kill(SIGKILL)
        await #expect(throws: QMPConnectionError.self) { try await call.value }
        // After the I/O thread has gone, affine code still runs (on the global executor).
        let after = await client.withAffinity { client.isClosed }
        #expect(after)
        await client.close()
    }
}
