import Testing
@testable import MonitorShell
import QMP
import QMPTestSupport
import Synchronization

/// The runner against the fake server: ordering, `$_`, fail-fast and keep-going, expect-error, race-free waits,
/// a monitor that goes away, and JSON output.
@Suite(.timeLimit(.minutes(1))) struct ScriptRunnerTests {
    final class Received: Sendable {
        let names = Mutex<[String]>([])
        func append(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    /// A fake QEMU: query-status answers `status`, device_del of `vd1` answers and then sends DEVICE_DELETED
    /// (before the client can start waiting), device_del of anything else is DeviceNotFound; `die` closes.
    static func server(received: Received, status: String = "running") throws -> FakeQMPServer {
        try FakeQMPServer { peer in
            try peer.negotiate()
            while let request = try peer.receive() {
                let name = request["execute"]?.stringValue ?? ""
                received.append(name)
                switch name {
                case "query-status": try peer.reply(to: request, ["status": .string(status), "running": .bool(status == "running")])
                case "device_del":
                    let id = request["arguments"]?["id"]?.stringValue ?? ""
                    guard id.hasPrefix("vd") || id.hasPrefix("early") else {
                        try peer.replyError(to: request, errorClass: "DeviceNotFound", description: "Device '\(id)' not found")
                        continue
                    }
                    // `early...` devices: the event comes before the reply, so the client has read it when the
                    // reply arrives (deterministic order for tests of what counts as "since the last command").
                    if id.hasPrefix("early") {
                        try peer.sendEvent("DEVICE_DELETED", data: ["device": .string(id), "path": .string("/machine/peripheral/\(id)")])
                        try peer.reply(to: request)
                        continue
                    }
                    try peer.reply(to: request)
                    try peer.sendEvent("DEVICE_DELETED", data: ["path": .string("/machine/peripheral/\(id)/virtio-backend")])
                    try peer.sendEvent("DEVICE_DELETED", data: ["device": .string(id), "path": .string("/machine/peripheral/\(id)")])
                case "human-monitor-command":
                    let line = request["arguments"]?["command-line"]?.stringValue ?? ""
                    try peer.reply(to: request, .string(line == "info status" ? "VM status: running\r\n" : "unknown command: '\(line)'\r\n"))
                case "die":
                    return
                default:
                    try peer.replyError(to: request, errorClass: "CommandNotFound", description: "The command \(name) has not been found")
                }
            }
        }
    }

    func run(
        _ text: String, status: String = "running", keepGoing: Bool = false, timeout: Duration = .seconds(5),
        reportsEvents: Bool = false
    ) async throws -> (ScriptSummary, [ScriptReport], [String]) {
        let received = Received()
        let server = try Self.server(received: received, status: status)
        let script = try ScriptParser().parse(text, file: "t.qmp")
        let session = try await MonitorConnector.standard.connect(server.path)
        var options = ScriptRunner.Options()
        options.keepGoing = keepGoing
        options.timeout = timeout
        options.reportsEvents = reportsEvents
        var reports: [ScriptReport] = []
        let summary = await ScriptRunner(script: script, session: session, options: options).run { reports.append($0) }
        await session.close()
        _ = await server.finished()
        return (summary, reports, received.all)
    }

    @Test func statementsRunInOrderAndTheLastReturnFeedsExpect() async throws {
        let (summary, reports, received) = try await run("""
            query-status
            expect .status == "running"
            expect .running == true
            expect . contains {"status": "run"}
            """)
        #expect(summary.exitStatus == 0 && summary.executed == 4 && summary.passed == 4)
        #expect(received == ["query-status"])
        guard case .statement(let first) = reports[0], case .returned(let value) = first.outcome else { Issue.record("\(reports)"); return }
        #expect(value["status"] == "running")
    }

    @Test func theFirstFailureStopsTheRunAndNothingAfterItIsSent() async throws {
        let (summary, _, received) = try await run("""
            query-status
            expect .status == "paused"
            device_del id=vd1
            """)
        #expect(summary.exitStatus == 1 && summary.stop == .failed)
        #expect(summary.failures.map(\.statement.line) == [2])
        guard case .failed(let failure) = summary.failures[0].outcome else { Issue.record("outcome"); return }
        #expect(failure.description == #"ExpectationFailed: expected .status == "paused", got "running""#)
        #expect(received == ["query-status"])
    }

    @Test func keepGoingRunsEverythingAndCountsTheFailures() async throws {
        let (summary, _, received) = try await run("""
            device_del id=nosuch
            query-status
            expect .status == "paused"
            expect .missing
            query-status
            """, keepGoing: true)
        #expect(summary.stop == .completed && summary.exitStatus == 1)
        #expect(summary.failures.map(\.statement.line) == [1, 3, 4])
        #expect(summary.executed == 5 && summary.passed == 2)
        // After DeviceNotFound, `query-block` asks which devices there are, to name them in the failure (issue 15).
        #expect(received == ["device_del", "query-block", "query-status", "query-status"])
        guard case .failed(let failure) = summary.failures[0].outcome, case .failed(let missing) = summary.failures[2].outcome else {
            Issue.record("outcomes"); return
        }
        #expect(failure.description == "DeviceNotFound: Device 'nosuch' not found")
        #expect(missing.message.hasPrefix(".missing is not in the last result"))
    }

    @Test func expectErrorPassesOnlyOnTheNamedClass() async throws {
        let (passing, _, _) = try await run("""
            expect-error DeviceNotFound device_del id=nosuch
            expect .class == "DeviceNotFound"
            expect .desc contains "nosuch"
            """)
        #expect(passing.exitStatus == 0 && passing.passed == 3)
        let (wrongClass, _, _) = try await run("expect-error GenericError device_del id=nosuch")
        guard case .failed(let failure) = wrongClass.failures.first?.outcome else { Issue.record("no failure"); return }
        #expect(failure.message == "expected GenericError, got DeviceNotFound: Device 'nosuch' not found")
        let (succeeded, _, _) = try await run("expect-error DeviceNotFound query-status")
        guard case .failed(let success) = succeeded.failures.first?.outcome else { Issue.record("no failure"); return }
        #expect(success.message.hasPrefix("expected the command to fail with DeviceNotFound, but it succeeded"))
    }

    @Test func waitCountsEventsThatCameBeforeItAndTwoWaitsMatchTwoEvents() async throws {
        // The server sends both DEVICE_DELETED events right after its reply, before the script reaches `wait`.
        let (summary, _, _) = try await run("""
            device_del id=vd1
            wait DEVICE_DELETED path=/machine/peripheral/vd1/virtio-backend timeout=5
            wait DEVICE_DELETED timeout=5
            expect .data.device == "vd1"
            """)
        #expect(summary.exitStatus == 0, "\(summary.failures)")
        // A wait for the same event again has nothing left to match: it times out.
        let (again, _, _) = try await run("""
            device_del id=vd2
            wait DEVICE_DELETED device=vd2
            wait DEVICE_DELETED device=vd2 timeout=0.2
            """)
        #expect(again.failures.map(\.statement.line) == [3])
        guard case .failed(let failure) = again.failures.first?.outcome else { Issue.record("no failure"); return }
        #expect(failure.errorClass == "Timeout")
    }

    @Test func waitOnlyCountsEventsSinceThePreviousCommand() async throws {
        // early1's event was read before `query-status` was sent: it does not satisfy a wait after that command.
        // (An event still on its way when the next command is sent does count: nothing caused by that command is
        // ever missed, which is the guarantee scripts need.)
        let (summary, _, _) = try await run("""
            device_del id=early1
            query-status
            wait DEVICE_DELETED device=early1 timeout=0.2
            """)
        #expect(summary.failures.map(\.statement.line) == [3])
    }

    @Test func hmpStatementsReturnTextAndFailuresAreHMPErrors() async throws {
        let (summary, reports, _) = try await run("""
            hmp info status
            expect . contains "running"
            !info nosuch
            """, keepGoing: true)
        guard case .statement(let first) = reports[0], case .returned(.string(let text)) = first.outcome else {
            Issue.record("\(reports)"); return
        }
        #expect(text == "VM status: running\r\n")
        #expect(summary.failures.map(\.statement.line) == [3])
        guard case .failed(let failure) = summary.failures[0].outcome else { Issue.record("outcome"); return }
        #expect(failure.errorClass == "HMPError")
    }

    @Test func aMonitorThatGoesAwayStopsTheRunEvenWithKeepGoing() async throws {
        let (summary, _, received) = try await run("""
            query-status
            die
            query-status
            query-status
            """, keepGoing: true, timeout: .seconds(5))
        #expect(summary.stop == .monitorGone)
        #expect(summary.exitStatus == 3)
        #expect(received == ["query-status", "die"])
        guard case .failed(let failure) = summary.failures.last?.outcome else { Issue.record("no failure"); return }
        #expect(failure.monitorGone && failure.errorClass == "ConnectionError")
    }

    @Test func jsonOutputHasOneObjectPerStatementAndPerEvent() async throws {
        let (summary, reports, _) = try await run("""
            device_del id=vd1
            wait DEVICE_DELETED device=vd1
            device_del id=nosuch
            """, keepGoing: true, reportsEvents: true)
        let formatter = ScriptOutputFormatter(style: .json, monitor: "m", showsMonitor: false)
        let lines = reports.compactMap { formatter.format($0, file: "t.qmp").out }
        let objects = try lines.map { try JSON(parsing: $0) }
        #expect(objects.count == 5)
        // Events are reported between statements, as they were received: both come before the `wait` that matched
        // one of them (they may come before or after the device_del's own object).
        let events = objects.indices.filter { objects[$0]["event"] == "DEVICE_DELETED" }
        let statements = objects.filter { $0["line"] != nil }
        #expect(events.count == 2)
        let waitIndex = objects.firstIndex { $0["line"] == 2 } ?? 0
        #expect(events.allSatisfy { $0 < waitIndex })
        #expect(statements.map { $0["line"] } == [1, 2, 3])
        #expect(statements[0]["statement"] == "device_del id=vd1" && statements[0]["return"] == [:])
        #expect(statements[0]["elapsed_ms"]?.numericValue != nil)
        #expect(statements[1]["ok"] == true && statements[1]["matched"]?["data"]?["device"] == "vd1")
        #expect(statements[2]["error"] == ["class": "DeviceNotFound", "desc": "Device 'nosuch' not found"])
        let closing = try JSON(parsing: formatter.format(summary))
        #expect(closing["summary"]?["failed_lines"] == [3])
        #expect(closing["summary"]?["exit_status"] == 1)
    }

    @Test func humanOutputShowsEachStatementAndAFailureWithItsPosition() async throws {
        let (summary, reports, _) = try await run("query-status\n  device_del id=nosuch\n")
        let formatter = ScriptOutputFormatter(style: .human, monitor: "m", showsMonitor: false)
        let formatted = reports.map { formatter.format($0, file: "t.qmp") }
        #expect(formatted[0].out?.hasPrefix(#"t.qmp:1  query-status  → {"status":"running","running":true}  ("#) == true)
        #expect(formatted[1].err == """
            t.qmp:2:3: DeviceNotFound: Device 'nosuch' not found
                  device_del id=nosuch
                  ^

            """)
        #expect(formatter.format(summary).contains(": 2 statements, 1 passed, 1 failed (line 2); stopped at the first failure in "))
    }

    @Test func cancellationStopsBetweenStatements() async throws {
        let received = Received()
        let server = try Self.server(received: received)
        let script = try ScriptParser().parse("query-status\nquery-status\nquery-status", file: "t.qmp")
        let session = try await MonitorConnector.standard.connect(server.path)
        // Cancel the running task as soon as the first statement has finished.
        let summary = await ScriptRunner(script: script, session: session).run { report in
            if case .statement = report { withUnsafeCurrentTask { $0?.cancel() } }
        }
        #expect(summary.stop == .cancelled && summary.executed == 1 && summary.exitStatus == 1)
        await session.close()
        _ = await server.finished()
        #expect(received.all == ["query-status"])
    }

    @Test func cancellationEndsAPendingWaitAtOnce() async throws {
        let received = Received()
        let server = try Self.server(received: received)
        let script = try ScriptParser().parse("wait NEVER timeout=30", file: "t.qmp")
        let session = try await MonitorConnector.standard.connect(server.path)
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task { await ScriptRunner(script: script, session: session).run() }
        task.cancel()
        let summary = await task.value
        // Cancelled before the wait began (nothing ran) or during it (the wait fails as cancelled): never 30 s.
        #expect(clock.now - start < .seconds(5))
        #expect(summary.exitStatus == 1)
        #expect(summary.stop == .cancelled || summary.failures.first?.outcome.failureClass == "Cancelled")
        await session.close()
        _ = await server.finished()
    }
}

extension StatementOutcome {
    var failureClass: String? {
        if case .failed(let failure) = self { return failure.errorClass }
        return nil
    }
}
