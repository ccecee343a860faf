import Testing
@testable import MonitorShell
import QMP
import QMPWire

@Suite struct LongOperationTests {
    func parse(_ text: String) throws(ScriptErrors) -> Script {
        try ScriptParser(overrides: [:]).parse(text, file: "t.qmp")
    }

    @Test func jobAndMigrationStatements() throws {
        let script = try parse("""
            job-wait backup0 timeout=60
            job-wait "mirror 1" status=ready timeout=2.5
            migrate-wait timeout=120
            migrate-wait
            """)
        guard case .jobWait(let id, let status, let timeout) = script.statements[0].kind else { Issue.record("not job-wait"); return }
        #expect(id == "backup0" && status == .concluded && timeout == .seconds(60))
        guard case .jobWait(let id2, let status2, let timeout2) = script.statements[1].kind else { Issue.record("not job-wait"); return }
        #expect(id2 == "mirror 1" && status2 == .ready && timeout2 == .milliseconds(2500))
        guard case .migrateWait(let timeout3) = script.statements[2].kind else { Issue.record("not migrate-wait"); return }
        #expect(timeout3 == .seconds(120))
        guard case .migrateWait(nil) = script.statements[3].kind else { Issue.record("not migrate-wait"); return }
    }

    @Test func badJobStatementsPointAtTheProblem() {
        for (text, fragment) in [
            ("job-wait", "job-wait ID"),
            ("job-wait j status=done", "unknown job status 'done'"),
            ("job-wait j timeout=0", "above 0"),
            ("migrate-wait now", "unexpected 'now'"),
        ] {
            do {
                _ = try parse(text)
                Issue.record("'\(text)' parsed")
            } catch {
                #expect(error.errors.first.map { "\($0)".contains(fragment) } == true, "\(text): \(error.errors)")
            }
        }
    }

    @Test func progressLines() {
        let sample = ProgressSample(JobProgress(id: "backup0", status: .running, current: 30 << 20, total: 64 << 20, rate: 12.5 * 1048576))
        #expect(ProgressRenderer.barLine(sample, width: 10) == "backup0  [####------]  46%  30.0 MiB / 64.0 MiB  12.5 MiB/s  ETA 2s")
        var plain = ProgressRenderer(mode: .plain)
        let clock = ContinuousClock.now
        #expect(plain.render(sample, now: clock) != nil)
        #expect(plain.render(sample, now: clock + .milliseconds(500)) == nil, "at most one plain line per second")
        #expect(plain.render(sample, now: clock + .milliseconds(1100)) != nil)
        var final = ProgressSample(JobProgress(id: "backup0", status: .concluded, current: 64 << 20, total: 64 << 20))
        #expect(plain.render(final, now: clock + .milliseconds(1200)) == "backup0 concluded 100%  64.0 MiB / 64.0 MiB\n")
        final.isFinal = true
        var terminal = ProgressRenderer(mode: .terminal)
        #expect(terminal.render(final)?.hasSuffix("\n") == true)
        #expect(terminal.render(sample)?.hasPrefix("\r\u{1B}[K") == true)
        let json = ProgressRenderer.json(ProgressSample(JobProgress(id: "j", status: .created, current: 0, total: 0)))
        #expect(json["fraction"] == .null && json["total"] == 0 && json["status"] == "created")
        #expect(ProgressRenderer.bytes(512) == "512 B")
        #expect(ProgressRenderer.duration(.seconds(125)) == "2m05s")
    }

    @Test func jobListing() {
        let lines = JobListing.lines([JobInfo(id: "backup0", type: .backup, status: .running, currentProgress: 1 << 20, totalProgress: 4 << 20)])
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix("backup0  backup  running    25%  1.0 MiB / 4.0 MiB"))
        #expect(JobListing.lines([]) == ["no jobs"])
    }
}
