import QMP
import QMPTestSupport
import QMPWire
import Testing

/// The core hosts peers that are not a QMP monitor (issue 14, for the guest agent of issue 16 and `qmpsh -N`): no
/// greeting and no negotiation, every request with an id, a `0xFF` sync byte before a reply, and a command whose
/// success is the end of the connection.
@Suite struct PeerWithoutGreetingTests {
    @Test func agentLikePeer() async throws {
        let server = try FakeQMPServer { peer in
            let ping = try peer.receive()!
            #expect(ping["execute"] == "guest-ping")
            #expect(ping["id"] != nil)
            try peer.sendRaw([0xFF])
            try peer.reply(to: ping, [:])
            let sync = try peer.receive()!
            try peer.sendRaw([0xFF])
            try peer.reply(to: sync, sync["arguments"]?["id"] ?? .null)
            let shutdown = try peer.receive()!
            #expect(shutdown["execute"] == "guest-shutdown")
            peer.close()
        }
        var configuration = QMPClient.Configuration()
        configuration.negotiates = false
        configuration.sendsIDs = true
        configuration.commandsEndingConnection = ["guest-shutdown"]
        let client = try await QMPClient.connect(to: server.address, configuration: configuration)
        #expect(client.greeting.capabilities.isEmpty)
        #expect(try await client.execute("guest-ping", timeout: .seconds(10)) == [:])
        #expect(try await client.execute("guest-sync-delimited", arguments: ["id": 4242], timeout: .seconds(10)) == 4242)
        #expect(try await client.execute("guest-shutdown", timeout: .seconds(10)) == [:])
        #expect(client.protocolAnomalies.recent.contains { $0.reason.contains("sync byte") })
        await client.close()
        #expect(await server.finished().isEmpty)
    }
}
