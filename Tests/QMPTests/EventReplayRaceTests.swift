import QMP
import QMPTestSupport
import QMPWire
import Testing

/// A subscription that replays the history while events keep arriving gets each event exactly once, in the wire's
/// order. (The merged protocol machine added an event to the history in one lock and chose its recipients in
/// another; a subscriber registered in between got that event twice, once replayed and once live:
/// `qmpsh events --count 2` printed STOP twice in CI.)
@Suite struct EventReplayRaceTests {
    @Test func aReplayingSubscriptionSeesEveryEventOnceAndInOrder() async throws {
        let total = 3000
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            guard let request = try peer.receive(), request["execute"] == "go" else { return }
            try peer.reply(to: request)
            for index in 0..<total { try peer.sendEvent(index % 2 == 0 ? "STOP" : "RESUME", data: ["i": .int(Int64(index))]) }
            if let last = try peer.receive() { try peer.reply(to: last) }
        }
        var configuration = QMPClient.Configuration()
        configuration.eventHistorySize = total + 10
        let client = try await QMPClient.connect(to: server.address, configuration: configuration)
        _ = try await client.execute("go")
        // Subscribe again and again while the events stream in; each subscription replays from the start.
        var subscriptions: [QMPEventSubscription] = []
        for _ in 0..<40 {
            subscriptions.append(client.events(.all, bufferSize: total + 10, replayingAfter: EventCursor(sequence: 0)))
            await Task.yield()
        }
        for subscription in subscriptions {
            var sequences: [UInt64] = []
            for try await event in subscription {
                sequences.append(event.sequence)
                if sequences.count == total { break }
            }
            #expect(sequences == Array(1...UInt64(total)), "first break at \(zip(sequences, 1...UInt64(total)).first { $0.0 != $0.1 }.map { "\($0)" } ?? "-")")
        }
        _ = try await client.execute("done")
        await client.close()
        #expect(await server.finished().isEmpty)
    }
}
