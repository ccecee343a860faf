@testable import QEMURunner
import QMPWire
import Testing

/// The serial console used to keep everything the guest ever printed in memory: a guest that runs for days grew
/// its client without bound (the soak showed it). Matched text beyond `retainedBytes` is now released.
@Suite(.timeLimit(.minutes(1))) struct ConsoleMemoryTests {
    @Test func matchedOutputIsReleasedBeyondTheRetainedAmount() async throws {
        let (mine, guestSide) = try SocketConnection.pair()
        let console = SerialConsole(connection: mine, logPath: "/dev/null")
        let line = String(repeating: "x", count: 500)
        let lines = 8000  // ~4 MiB in all
        for n in 0..<lines {
            try guestSide.send(Array("\(line) \(n)\r\n".utf8))
            if n % 100 == 99 { try await console.expect("\(line) \(n)\r\n", timeout: .seconds(10)) }
        }
        let total = (0..<lines).reduce(0) { $0 + line.utf8.count + " \($1)\r\n".utf8.count }
        #expect(console.byteCount == total)
        let held = console.output.utf8.count
        #expect(held <= SerialConsole.retainedBytes + SerialConsole.retainedBytes / 4 + 64 << 10, "\(held) bytes held")
        // What was printed after the last match is still there to match, whole.
        #expect(console.output.hasSuffix("\(line) \(lines - 1)\r\n"))
        guestSide.shutdown()
        console.close()
        report("console of \(total) bytes: \(held) held in memory after the matches")
    }
}
