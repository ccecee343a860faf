#if canImport(Glibc)
import Glibc
#endif
import MonitorShell
import QMP
import QMPTestSupport
import Synchronization

/// Script runner figures: a file of `query-status` lines through `qmpsh run` (process start to exit) against the
/// C floor client doing the same round trips, and qmp-shell reading the same lines; and how soon a script's `wait`
/// returns after its event arrives.
enum ScriptBench {
    struct ScriptFigures {
        var qmpsh: Double
        var floor: Double
        var qmpShell: Double?
    }

    /// Wall time in seconds, best of `rounds`, for each client doing `count` query-status on `socket`.
    static func scriptRun(socket: String, floor: String, count: Int, rounds: Int) async throws -> ScriptFigures {
        let work = try TemporaryDirectory(prefix: "qmpkit-script-bench")
        let script = work.file("status.qmp")
        try ChildProcess.writeFile(script, String(repeating: "query-status\n", count: count))
        let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
        let shell = try await ChildProcess.run(["python3", "-c", "import qemu.qmp.qmp_shell"]).status == 0
        var best = ScriptFigures(qmpsh: .infinity, floor: .infinity, qmpShell: shell ? .infinity : nil)
        func timed(_ argv: [String], input: String = "") async throws -> Double {
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await ChildProcess.run(argv, input: input, timeout: .seconds(600))
            let elapsed = clock.now - start
            guard result.status == 0 else { Bench.fail("\(argv.joined(separator: " ")) failed: \(result)") }
            let (seconds, attoseconds) = elapsed.components
            return Double(seconds) + Double(attoseconds) / 1e18
        }
        let lines = String(repeating: "query-status\n", count: count)
        for _ in 0..<rounds {
            best.floor = min(best.floor, try await timed([floor, socket, String(count)]))
            best.qmpsh = min(best.qmpsh, try await timed([qmpsh, "run", script, "--monitor", socket]))
            if shell {
                // qmp-shell reads commands from its standard input when it is not a terminal.
                best.qmpShell = min(best.qmpShell!, try await timed(["python3", "-m", "qemu.qmp.qmp_shell", socket], input: lines))
            }
        }
        return best
    }

    /// Microseconds from the moment the client received an event to the moment the script's `wait` for it
    /// returned (the event comes `delay` after the wait began): median and worst of `count` waits.
    static func waitWakeUp(count: Int) async throws -> (median: Double, worst: Double) {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            while let request = try peer.receive(timeout: .seconds(60)) {
                try peer.reply(to: request, [:])
                // A stimulus, not a wait: the event must come after the script has started waiting.
                usleep(2000)
                try peer.sendEvent("TICK")
            }
        }
        let arrivals = Mutex<[ContinuousClock.Instant]>([])
        var configuration = QMPClient.Configuration()
        configuration.messageObserver = { direction, message in
            if direction == .received, message["event"] != nil {
                let now = ContinuousClock.now
                arrivals.withLock { $0.append(now) }
            }
        }
        let session = try await MonitorConnector.standard.connect(server.path, configuration: configuration)
        let text = String(repeating: "query-status\nwait TICK timeout=5\n", count: count)
        let script = try ScriptParser().parse(text, file: "wake.qmp")
        var returns: [ContinuousClock.Instant] = []
        let summary = await ScriptRunner(script: script, session: session).run { report in
            if case .statement(let result) = report, case .wait = result.statement.kind { returns.append(.now) }
        }
        await session.close()
        guard summary.exitStatus == 0 else { Bench.fail("wake-up script failed: \(summary.failures)") }
        let received = arrivals.withLock { $0 }
        let delays = zip(received, returns).map { Bench.microseconds($1 - $0, per: 1) }.sorted()
        return (delays[delays.count / 2], delays.last ?? 0)
    }
}
