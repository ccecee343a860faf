#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import QEMURunner
import QMP
import QMPTestSupport
import QMPWire

/// Live migration between two QEMUs on this host, checked in the guest: a counter keeps counting across the
/// move, the guest's uptime goes on (no reboot), and the failures leave the side that still holds the guest
/// running. Then a fast start from a saved state.
@Suite(.timeLimit(.minutes(6))) struct MigrationGuestTests {
    /// The last `TICK n` the guest printed on this console.
    static func lastTick(_ console: SerialConsole) -> Int? {
        console.output.split(whereSeparator: \.isNewline).compactMap { line -> Int? in
            guard let range = line.firstRange(of: "TICK ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }.last
    }

    static func uptime(_ guest: Guest) async throws -> Double {
        let output = try await TestGuest.run("cut -d' ' -f1 /proc/uptime", on: guest)
        let values = output.split(whereSeparator: \.isNewline).compactMap { Double($0.filter { !$0.isWhitespace }) }
        return try #require(values.last)
    }

    @Test func liveMigrationAndFailures() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-migrate")
        defer { directory.remove() }
        let machine = TestGuest.machine()
        try await Guest.withGuest(machine, options: TestGuest.options) { source in
            try await HotplugTests.waitForShell(source)

            // 1. A destination that does not listen: a clean failure, the source runs on.
            let nowhere = try await Migration.start(to: "unix:" + directory.file("nobody.sock"), on: source.client)
            await #expect {
                try await nowhere.waitForCompletion(timeout: .seconds(60))
            } throws: { error in
                (error as? MigrationFailedError).map { $0.status == .failed && !$0.message.isEmpty } ?? false
            }
            #expect(try await source.client.execute(QueryStatus()).status == .running)
            #expect(try await TestGuest.run("echo still-$((40+2))", on: source).contains("still-42"))

            // 2. The destination dies mid-migration: the source's error says so and the source runs on.
            try await Self.destinationKilled(source, machine: machine, directory: directory)

            // 2b. Cancelled while it runs: the source runs on.
            try await Self.cancelled(source, machine: machine, directory: directory)

            // 3. The real move, with a counter running in the guest.
            let before = try await Self.uptime(source)
            _ = try await TestGuest.run("(i=0; while true; do i=$((i+1)); echo TICK $i; sleep 1; done) &", on: source)
            _ = try await source.console.expect("TICK 2", timeout: .seconds(60))
            let destination = try await Guest.launchIncoming(machine, options: TestGuest.options)
            do {
                let uri = "unix:" + directory.file("dst.sock")
                let cursor = try await Migration.prepareIncoming(on: destination.client, uri: uri)
                let migration = try await Migration.start(to: uri, on: source.client)
                var reports: [MigrationProgress] = []
                for try await progress in migration.progress(every: .milliseconds(250)) { reports.append(progress) }
                let info = try await migration.waitForCompletion(timeout: .seconds(120))
                try await Migration.waitForIncoming(on: destination.client, since: cursor, timeout: .seconds(60))
                #expect(info.status == .completed)
                #expect((info.ram?.transferred ?? 0) > 0)
                #expect(reports.last?.status == .completed)
                #expect(reports.last?.fraction == 1)
                #expect(try await source.client.execute(QueryStatus()).status == .postMigrate)
                #expect(try await destination.client.execute(QueryStatus()).status == .running)
                // The destination's console continues the source's count.
                let last = try #require(Self.lastTick(source.console))
                _ = try await destination.console.expect("TICK \(last + 1)", timeout: .seconds(60))
                _ = try await destination.console.expect("TICK \(last + 2)", timeout: .seconds(60))
                #expect(try await Self.uptime(destination) > before, "no reboot: the uptime went on")

                // 4. The source is killed mid-migration: the destination never runs the guest, and says why.
                try await Self.sourceKilled(destination, machine: machine, directory: directory)
                await destination.shutdown()
            } catch {
                await destination.shutdown()
                throw error
            }
        }
    }

    /// Migrates slowly (bandwidth capped) and kills the destination while it runs.
    static func destinationKilled(_ source: Guest, machine: MachineConfiguration, directory: TemporaryDirectory) async throws {
        let (destination, migration, _) = try await Self.startCapped(from: source, machine: machine, socket: directory.file("doomed.sock"))
        destination.process.signal(SIGKILL)
        _ = await destination.process.wait()
        await #expect {
            try await migration.waitForCompletion(timeout: .seconds(60))
        } throws: { error in
            (error as? MigrationFailedError)?.status == .failed
        }
        await destination.shutdown()
        #expect(try await source.client.execute(QueryStatus()).status == .running)
        #expect(try await TestGuest.run("echo alive-$((1+1))", on: source).contains("alive-2"))
        _ = try await source.client.execute(MigrateSetParameters(["max-bandwidth": .int(128 << 20)]))
    }

    /// Starts a migration capped at 2 MiB/s to a new destination and returns once some RAM was sent.
    static func startCapped(
        from source: Guest, machine: MachineConfiguration, socket: String, options: Guest.Options = TestGuest.options
    ) async throws -> (destination: Guest, migration: Migration, cursor: EventCursor) {
        let destination = try await Guest.launchIncoming(machine, options: options)
        let uri = "unix:" + socket
        let cursor = try await Migration.prepareIncoming(on: destination.client, uri: uri)
        var options = Migration.Options()
        options.parameters = ["max-bandwidth": .int(2 << 20)]
        let migration = try await Migration.start(to: uri, on: source.client, options: options)
        for try await progress in migration.progress(every: .milliseconds(200)) where (progress.ram?.transferred ?? 0) > 0 {
            break
        }
        return (destination, migration, cursor)
    }

    /// Starts a capped migration and cancels it while it runs.
    static func cancelled(_ source: Guest, machine: MachineConfiguration, directory: TemporaryDirectory) async throws {
        let (destination, migration, _) = try await Self.startCapped(from: source, machine: machine, socket: directory.file("cancelled.sock"))
        try await migration.cancel(timeout: .seconds(60))
        #expect(try await migration.info().status == .cancelled)
        #expect(try await source.client.execute(QueryStatus()).status == .running)
        #expect(try await TestGuest.run("echo on-$((2+3))", on: source).contains("on-5"))
        await destination.shutdown()
        _ = try await source.client.execute(MigrateSetParameters(["max-bandwidth": .int(128 << 20)]))
    }

    /// Starts a capped migration from `source` and kills `source` while it runs: the destination was `inmigrate`,
    /// never runs the guest, and (QEMU 7.2) exits with "load of migration failed".
    static func sourceKilled(_ source: Guest, machine: MachineConfiguration, directory: TemporaryDirectory) async throws {
        // QEMU's stderr lines as they come: the runtime directory (and its copy of stderr) goes away with QEMU.
        let stderrLines = Mutex<[String]>([])
        var options = TestGuest.options
        options.standardError = { line in stderrLines.withLock { $0.append(line) } }
        let (destination, _, cursor) = try await Self.startCapped(
            from: source, machine: machine, socket: directory.file("orphan.sock"), options: options)
        #expect(try await destination.client.execute(QueryStatus()).status == .inMigrate)
        source.process.signal(SIGKILL)
        _ = await source.process.wait()
        do {
            try await Migration.waitForIncoming(on: destination.client, since: cursor, timeout: .seconds(60))
            Issue.record("the destination resumed a guest whose source died mid-migration")
        } catch is MigrationFailedError {
            // The MIGRATION failed event arrived before QEMU went away.
        } catch is QMPConnectionError {
            // QEMU went away first.
        }
        // QEMU 7.2 ends the destination when its incoming stream breaks, and says why on stderr.
        #expect(await destination.process.wait(timeout: .seconds(30)) != nil, "the destination QEMU ends")
        await destination.shutdown()  // also waits for the last stderr lines
        let stderr = stderrLines.withLock { $0.joined(separator: "\n") }
        #expect(stderr.contains("load of migration failed"), "\(stderr)")
    }

    /// Save a running guest's state, then start a new QEMU from it: its shell answers at once, no boot.
    @Test func fastStartFromSavedState() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-restore")
        defer { directory.remove() }
        let machine = TestGuest.machine()
        let state = directory.file("guest.state")
        try await Guest.withGuest(machine, options: TestGuest.options) { guest in
            try await HotplugTests.waitForShell(guest)
            _ = try await TestGuest.run("echo saved > /tmp/where", on: guest)
            try await guest.saveState(to: state)
            #expect(try await guest.client.execute(QueryStatus()).status == .postMigrate)
        }
        var info = stat()
        #expect(stat(state, &info) == 0 && info.st_mode & 0o077 == 0, "the state file is private")
        let clock = ContinuousClock()
        let start = clock.now
        let restored = try await Guest.launch(machine, restoring: state, options: TestGuest.options)
        do {
            let output = try await TestGuest.run("cat /tmp/where", on: restored)
            let elapsed = clock.now - start
            #expect(output.contains("saved"))
            #expect(elapsed < .seconds(20), "restored and answering in \(elapsed)")
            #expect(!restored.console.output.contains("Linux version"), "no boot happened")
            await restored.shutdown()
        } catch {
            await restored.shutdown()
            throw error
        }
    }
}
