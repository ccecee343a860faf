@testable import QEMURunner
@testable import QMP
import QMPTestSupport
import QMPWire
import Testing

/// Long loops of what a soak does, without QEMU: the client's memory must not grow with the number of iterations
/// (bounded buffers only). Both used to grow: every time limit was a task in `Task.sleep`, which keeps ~1 KiB until
/// its deadline even when cancelled (20 000 calls with 30 s limits: +19 MiB), and the console kept everything.
@Suite(.timeLimit(.minutes(2))) struct MemoryGrowthTests {
    /// Runs `body` `warmUp` times, samples RSS, runs it `count` times more and returns the growth in KiB.
    static func growth(warmUp: Int, count: Int, _ body: (Int) async throws -> Void) async throws -> Int {
        for n in 0..<warmUp { try await body(n) }
        let before = Probe.residentKiB()
        for n in warmUp..<(warmUp + count) { try await body(n) }
        return Probe.residentKiB() - before
    }

    @Test func callsWaitsAndSubscriptionsDoNotGrowMemory() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            while let request = try peer.receive(timeout: .seconds(120)) {
                try peer.sendEvent("DEVICE_DELETED", data: ["device": "vd1", "path": "/machine/peripheral/vd1"])
                try peer.reply(to: request)
            }
        }
        var configuration = QMPClient.Configuration()
        configuration.eventHistorySize = 64
        let client = try await QMPClient.connect(to: server.address, configuration: configuration)
        let timers = DeadlineScheduler.shared.pendingCount
        let grown = try await Self.growth(warmUp: 2000, count: 20000) { _ in
            let subscription = client.events(.names("DEVICE_DELETED"))
            _ = try await client.execute("device_del", arguments: ["id": "vd1"], timeout: .seconds(30))
            _ = try await client.waitForEvent("DEVICE_DELETED", matching: ["device": "vd1"], timeout: .seconds(30))
            _ = try await subscription.next()
            subscription.cancel()
        }
        #expect(grown < 1024, "RSS grew by \(grown) KiB over 20 000 iterations")
        #expect(DeadlineScheduler.shared.pendingCount <= timers, "time limits left scheduled")
        report("20000 × (call with timeout, wait with timeout, subscription): RSS grew \(grown) KiB")
        await client.close()
        _ = await server.finished()
    }

    @Test func consoleExpectsDoNotGrowMemory() async throws {
        let (mine, guestSide) = try SocketConnection.pair()
        let console = SerialConsole(connection: mine, logPath: "/dev/null")
        let grown = try await Self.growth(warmUp: 2000, count: 20000) { n in
            try guestSide.send(Array("fd0 loop0 sr0 vda \(n)\r\nguest# ".utf8))
            try await console.expect("guest# ", timeout: .seconds(30))
        }
        #expect(grown < 1024, "RSS grew by \(grown) KiB over 20 000 expects")
        report("20000 console expects (~600 KiB printed): RSS grew \(grown) KiB, \(console.output.utf8.count) bytes held")
        guestSide.shutdown()
        console.close()
    }
}
