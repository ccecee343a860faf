import Testing
import LineEditing
import MonitorShell
import QMP
import QMPTestSupport

/// `.jobs` in the shell against a real QEMU with a disk: the list, and live progress lines printed above the prompt
/// while the user keeps typing (`.jobs on|off`).
@Suite(.timeLimit(.minutes(3))) struct REPLJobsTests {
    @Test func listsJobsAndPrintsLiveLinesWhileTheUserTypes() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-repl-jobs")
        defer { directory.remove() }
        let disk = directory.file("d0.qcow2"), target = directory.file("t0.qcow2"), second = directory.file("t1.qcow2")
        for image in [disk, target, second] {
            let created = try await ChildProcess.run(["qemu-img", "create", "-q", "-f", "qcow2", image, "8M"])
            try #require(created.status == 0, "\(created)")
        }
        // Data to copy, so that a rate-limited backup (1 MiB/s over 8 MiB) runs for several seconds.
        let filled = try await ChildProcess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 8M", disk])
        try #require(filled.status == 0, "\(filled)")
        let qemu = try QEMUProcess.launch(arguments: [
            "-machine", "pc", "-accel", "tcg", "-m", "64",
            "-blockdev", "driver=qcow2,node-name=d0,file.driver=file,file.filename=\(disk)",
            "-blockdev", "driver=qcow2,node-name=t0,file.driver=file,file.filename=\(target)",
            "-blockdev", "driver=qcow2,node-name=t1,file.driver=file,file.filename=\(second)",
        ])
        let monitor = try await MonitorConnector.standard.connect(qemu.monitorPath)
        let editor = ScriptedLineEditor(lines: [".jobs"])
        let repl = MonitorREPL(sessions: [monitor], editor: editor)
        async let status = repl.run()

        #expect(await editor.waitForOutput(containing: "no jobs", timeout: .seconds(30)))
        editor.type("blockdev-backup job-id=bk device=d0 target=t0 sync=full speed=1048576")
        // The live line comes by itself, with no command holding the prompt.
        #expect(await editor.waitForOutput(containing: "# job bk running", timeout: .seconds(30)), "\(editor.transcript)")
        // The user keeps typing while the job runs: the shell answers at once.
        editor.type("query-status")
        #expect(await editor.waitForOutput(containing: "singlestep", timeout: .seconds(30)), "\(editor.transcript)")
        editor.type(".jobs")
        #expect(await editor.waitForOutput(containing: "bk  backup  running", timeout: .seconds(30)), "\(editor.transcript)")
        let typedWhileRunning = editor.output
        #expect(!typedWhileRunning.contains("# job bk null"), "the job ended before the typing was checked: \(typedWhileRunning)")
        // The last line when the job ends (QEMU dismisses it itself: it is gone, at 100%).
        #expect(await editor.waitForOutput(containing: "# job bk null 100%", timeout: .seconds(60)), "\(editor.transcript)")

        // At most one line a second per job besides status changes: count the running lines against the time.
        let running = editor.output.split(separator: "\n").filter { $0.hasPrefix("# job bk running") }.count
        #expect(running >= 2, "\(editor.output)")
        #expect(running <= 12, "more than one line a second: \(editor.output)")

        // Off: a second job runs to its end with no live lines (its events are still printed).
        editor.type(".jobs off")
        #expect(await editor.waitForOutput(containing: "# live job lines off", timeout: .seconds(10)))
        editor.type("blockdev-backup job-id=bk2 device=d0 target=t1 sync=full")
        #expect(await editor.waitForOutput(timeout: .seconds(60)) { output in
            output.split(separator: "\n").contains { $0.contains("JOB_STATUS_CHANGE") && $0.contains("\"bk2\"") && $0.contains("\"null\"") }
        }, "\(editor.transcript)")
        // A job started while the lines are off is picked up by `.jobs on`, and followed to its end.
        editor.type("blockdev-backup job-id=bk3 device=d0 target=t1 sync=full speed=2097152")
        #expect(await editor.waitForOutput(timeout: .seconds(30)) { output in
            output.split(separator: "\n").contains { $0.contains("JOB_STATUS_CHANGE") && $0.contains("\"bk3\"") && $0.contains("\"running\"") }
        }, "\(editor.transcript)")
        editor.type(".jobs on")
        #expect(await editor.waitForOutput(containing: "# live job lines on", timeout: .seconds(10)))
        #expect(await editor.waitForOutput(containing: "# job bk3 running", timeout: .seconds(30)), "\(editor.transcript)")
        #expect(await editor.waitForOutput(containing: "# job bk3 null 100%", timeout: .seconds(60)), "\(editor.transcript)")
        editor.type(".jobs bogus")
        editor.finish()
        #expect(await status == 0)
        #expect(!editor.output.contains("# job bk2"), "\(editor.output)")
        #expect(editor.errorOutput == "UsageError: .jobs [on|off]\n", "\(editor.errorOutput)")
        await monitor.close()
    }
}
