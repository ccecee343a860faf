#if canImport(Glibc)
import Glibc
#endif
import Testing
import QEMURunner
import QMP
import QMPTestSupport
import QMPWire

/// Live migration over TCP on loopback, then postcopy, between real QEMUs running the busybox test guest: the
/// guest's counter goes on across both moves, on the console of the QEMU that now holds it.
@Suite(.timeLimit(.minutes(6))) struct MigrationTransportGuestTests {
    /// A TCP port on 127.0.0.1 that nothing listens on now (the kernel picks it; the socket is closed again).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        try #require(bound, "bind: errno \(errno)")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits until the guest on `guest`'s console counts past the last tick seen on `previous` (two more ticks).
    static func expectCountingOn(_ guest: Guest, after previous: Guest) async throws {
        let last = try #require(MigrationGuestTests.lastTick(previous.console), "\(previous.console.output.suffix(400))")
        _ = try await guest.console.expect("TICK \(last + 1)", timeout: .seconds(60))
        _ = try await guest.console.expect("TICK \(last + 2)", timeout: .seconds(60))
    }

    @Test func tcpThenPostcopy() async throws {
        let machine = TestGuest.machine()
        try await Guest.withGuest(machine, options: TestGuest.options) { source in
            try await HotplugTests.waitForShell(source)
            let before = try await MigrationGuestTests.uptime(source)
            _ = try await TestGuest.run("(i=0; while true; do i=$((i+1)); echo TICK $i; sleep 1; done) &", on: source)
            _ = try await source.console.expect("TICK 2", timeout: .seconds(60))

            // 1. Precopy over tcp:127.0.0.1:PORT.
            let middle = try await Guest.launchIncoming(machine, options: TestGuest.options)
            let last: Guest
            do {
                let uri = "tcp:127.0.0.1:\(try Self.freePort())"
                let cursor = try await Migration.prepareIncoming(on: middle.client, uri: uri)
                let migration = try await Migration.start(to: uri, on: source.client)
                let info = try await migration.waitForCompletion(timeout: .seconds(120))
                try await Migration.waitForIncoming(on: middle.client, since: cursor, timeout: .seconds(60))
                #expect(info.status == .completed)
                #expect((info.ram?.transferred ?? 0) > 0)
                #expect(try await source.client.execute(QueryStatus()).status == .postMigrate)
                #expect(try await middle.client.execute(QueryStatus()).status == .running)
                try await Self.expectCountingOn(middle, after: source)

                // 2. Postcopy: postcopy-ram on both sides, precopy capped so that it cannot finish on its own, then
                //    migrate-start-postcopy; the rest of RAM is pulled by the destination, which runs at once.
                last = try await Self.postcopy(from: middle, machine: machine)
                await middle.shutdown()
            } catch {
                await middle.shutdown()
                throw error
            }
            do {
                #expect(try await MigrationGuestTests.uptime(last) > before, "no reboot: the uptime went on")
                await last.shutdown()
            } catch {
                await last.shutdown()
                throw error
            }
        }
    }

    /// Moves the guest from `source` to a new QEMU in postcopy; returns the new QEMU, with the guest counting there.
    static func postcopy(from source: Guest, machine: MachineConfiguration) async throws -> Guest {
        let destination = try await Guest.launchIncoming(machine, options: TestGuest.options)
        do {
            let uri = "tcp:127.0.0.1:\(try Self.freePort())"
            let cursor = try await Migration.prepareIncoming(on: destination.client, uri: uri, capabilities: ["postcopy-ram": true])
            var options = Migration.Options()
            options.capabilities = ["postcopy-ram": true]
            // 1 MiB/s precopy for a 256 MiB guest: still running when postcopy is asked for. Postcopy's own
            // bandwidth (max-postcopy-bandwidth) stays unlimited.
            options.parameters = ["max-bandwidth": .int(1 << 20)]
            let migration = try await Migration.start(to: uri, on: source.client, options: options)
            for try await progress in migration.progress(every: .milliseconds(200)) where (progress.ram?.transferred ?? 0) > 0 {
                #expect(progress.status == .active)
                break
            }
            _ = try await source.client.execute(MigrateStartPostcopy())
            _ = try await source.client.waitForEvent(
                "MIGRATION", matching: ["status": "postcopy-active"], since: .cursor(migration.startCursor), timeout: .seconds(60))
            let info = try await migration.waitForCompletion(timeout: .seconds(180))
            try await Migration.waitForIncoming(on: destination.client, since: cursor, timeout: .seconds(60))
            #expect(info.status == .completed)
            #expect(try await source.client.execute(QueryStatus()).status == .postMigrate)
            #expect(try await destination.client.execute(QueryStatus()).status == .running)
            try await expectCountingOn(destination, after: source)
            return destination
        } catch {
            await destination.shutdown()
            throw error
        }
    }
}
