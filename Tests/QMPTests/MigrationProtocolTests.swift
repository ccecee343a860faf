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
