import Logging
import QMP
import QMPTestSupport
import QMPWire
import Synchronization
import Testing

/// `Configuration.logger` (issue 14): every message sent and received at trace level, secrets redacted.
@Suite struct WireLoggingTests {
    typealias Collector = LogCollector

    /// A configuration whose logger hands everything at `level` or above to `collector`.
    static func configuration(_ collector: Collector, _ level: Logger.Level) -> QMPClient.Configuration {
        var configuration = QMPClient.Configuration()
        configuration.logger = collector.logger(label: "qmp.test", level: level)
        return configuration
    }

    @Test func everyMessageIsLoggedAtTraceWithSecretsRedacted() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let request = try peer.receive()!
            try peer.reply(to: request)
            try peer.sendRaw("not json at all\n")
            let second = try peer.receive()!
            try peer.reply(to: second, ["status": "running"])
            _ = try peer.receive()
        }
        let collector = Collector()
        let client = try await QMPClient.connect(to: server.address, configuration: Self.configuration(collector, .trace))
        _ = try await client.execute("object-add", arguments: ["qom-type": "secret", "id": "s0", "data": "hunter2"])
        _ = try await client.execute("query-status", timeout: .seconds(10))
        await client.close()
        _ = await server.finished()
        let entries = collector.entries.withLock { $0 }
        let wire = entries.filter { $0.level == .trace }
        // greeting, qmp_capabilities and its reply, two commands and their replies
        #expect(wire.count == 7, "\(entries.map(\.message))")
        #expect(wire.filter { $0.metadata["qmp.direction"] == "sent" }.count == 3)
        let objectAdd = try #require(wire.first { $0.metadata["qmp.message"]?.contains("object-add") == true })
        #expect(objectAdd.metadata["qmp.message"]?.contains(Redaction.placeholder) == true)
        #expect(!entries.contains { $0.metadata.values.contains { $0.contains("hunter2") } })
        #expect(entries.contains { $0.level == .debug && $0.metadata["qmp.reason"]?.contains("not a JSON object") == true })
    }

    @Test func nothingIsLoggedAboveTrace() async throws {
        let server = try FakeQMPServer.standard()
        let collector = Collector()
        let client = try await QMPClient.connect(to: server.address, configuration: Self.configuration(collector, .info))
        _ = try await client.execute("query-status", timeout: .seconds(10))
        await client.close()
        _ = await server.finished()
        #expect(collector.entries.withLock { $0.isEmpty })
    }
}
