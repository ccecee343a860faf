import Testing
import QMP
import QMPTestSupport
import QMPWire

/// Migration cases real QEMU shows only by chance, played by the fake server.
@Suite struct MigrationProtocolTests {
    /// A migration started without the `events` capability (e.g. a script's raw `migrate`) sends no MIGRATION
    /// events: the wait must still see the end, through `query-migrate`.
    @Test func waitsWithoutMigrationEvents() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            var answered = 0
            while let request = try peer.receive(), request["execute"] == "query-migrate" {
                answered += 1
                try peer.reply(to: request, answered < 3 ? ["status": "setup"] : ["status": "failed", "error-desc": "Connection refused"])
            }
        }
        let client = try await QMPClient.connect(to: server.address)
        let migration = Migration.attach(on: client, since: client.eventCursor())
        await #expect {
            try await migration.waitForCompletion(timeout: .seconds(20))
        } throws: { error in
            (error as? MigrationFailedError) == MigrationFailedError(status: .failed, message: "Connection refused")
        }
        await client.close()
        _ = await server.finished()
    }
}

extension MigrationProtocolTests {
    /// The remainder stops shrinking: after three such reports the downtime limit is doubled (300 → 600 ms), then
    /// raised again up to the maximum, then postcopy is started when allowed.
    @Test func convergenceHelpRaisesTheDowntimeLimitThenSwitchesToPostcopy() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            var sent: [String] = []
            var queries = 0
            while let request = try peer.receive(), let name = request["execute"]?.stringValue {
                sent.append(name)
                switch name {
                case "query-migrate":
                    queries += 1
                    let done = sent.contains("migrate-start-postcopy")
                    let ram: JSON = ["transferred": 1000, "remaining": 500, "total": 2000, "dirty-sync-count": .int(Int64(queries + 1)), "mbps": 8.0]
                    try peer.reply(to: request, done ? ["status": "completed", "ram": ram, "total-time": 10, "downtime": 5] : ["status": "active", "ram": ram])
                case "query-migrate-parameters":
                    try peer.reply(to: request, ["downtime-limit": 300])
                default:
                    try peer.reply(to: request)
                }
            }
            let steps = sent.filter { $0 != "query-migrate" }
            guard steps == ["migrate-set-capabilities", "migrate", "query-migrate-parameters", "migrate-set-parameters",
                            "migrate-set-parameters", "migrate-start-postcopy"] else {
                throw TestSupportError("unexpected commands: \(steps)")
            }
        }
        let client = try await QMPClient.connect(to: server.address)
        var options = Migration.Options()
        var convergence = Migration.Convergence()
        convergence.maximumDowntime = 1000
        convergence.switchToPostcopy = true
        options.convergence = convergence
        let migration = try await Migration.start(to: "unix:/nowhere", on: client, options: options)
        var last: MigrationProgress?
        for try await progress in migration.progress(every: .milliseconds(10)) { last = progress }
        #expect(last?.status == .completed)
        #expect(migration.convergenceSteps == ["downtime-limit 300 ms → 600 ms", "downtime-limit 600 ms → 1000 ms", "postcopy"])
        await client.close()
        #expect(await server.finished().isEmpty)
    }
}
