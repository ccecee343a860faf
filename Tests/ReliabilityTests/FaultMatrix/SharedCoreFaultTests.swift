#if canImport(Glibc)
import Glibc
#endif
import HMP
import QMP
import QMPTestSupport
import QMPWire
import Testing

/// The direct HMP socket client on the shared core (issue 14): it used to send under a lock with a blocking
/// write, so a monitor that stops reading held the caller's thread in `send` for ever and every later command
/// behind the lock. Now its sends go through the same transport and bounded queue as QMP's.
@Suite(.timeLimit(.minutes(1))) struct HMPBlockedSendTests {
    @Test func hmpSendsToAMonitorThatNeverReadsEndAtTheirDeadline() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-hmp-send")
        let listener = try ListeningSocket(path: directory.file("hmp.sock"))
        let gate = Gate()
        // A monitor that prints its banner and prompt, then never reads.
        startDetachedThread {
            guard let peer = listener.accept() else { return }
            try? peer.send(Array("QEMU 7.2.0 monitor - type 'help' for more information\r\n(qemu) ".utf8))
            try? gate.wait(.seconds(60))
            withExtendedLifetime(peer) {}
        }
        let monitor = try await HMPSocketClient.connect(to: .unix(path: listener.path), bannerTimeout: .seconds(10))
        let big = "echo " + String(repeating: "z", count: 4 << 20)
        let clock = ContinuousClock()
        let start = clock.now
        let errors = await withTaskGroup(of: String.self) { group in
            for line in [big, "info status"] {
                group.addTask {
                    do {
                        _ = try await monitor.run(line, timeout: .seconds(1))
                        return "answered"
                    } catch is QMPTimeoutError {
                        return "timeout"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var all: [String] = []
            for await result in group { all.append(result) }
            return all
        }
        let elapsed = clock.now - start
        #expect(errors == ["timeout", "timeout"], "\(errors)")
        #expect(elapsed < .seconds(4), "two HMP commands to a monitor that never reads took \(elapsed)")
        await monitor.close()
        #expect(clock.now - start < .seconds(6), "close waited on a blocked send")
        gate.open()
        report("HMP monitor that never reads: a 4 MiB command and one behind it ended within \(elapsed.formatted)")
    }
}
