import Testing
import LineEditing
import MonitorShell
import QMP
import QMPTestSupport

/// `.jobs` in the shell against a real QEMU with a disk: the list, and `.jobs follow` until the job ends.
@Suite(.timeLimit(.minutes(2))) struct REPLJobsTests {
    @Test func listsAndFollowsJobs() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-repl-jobs")
        defer { directory.remove() }
        let disk = directory.file("d0.qcow2"), target = directory.file("t0.qcow2")
        for image in [disk, target] {
            let created = try await ChildProcess.run(["qemu-img", "create", "-q", "-f", "qcow2", image, "8M"])
            try #require(created.status == 0, "\(created)")
        }
        // Data to copy, so that a rate-limited backup runs for a few reports.
        let filled = try await ChildProcess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 4M", disk])
        try #require(filled.status == 0, "\(filled)")
        let qemu = try QEMUProcess.launch(arguments: [
            "-machine", "pc", "-accel", "tcg", "-m", "64",
            "-blockdev", "driver=qcow2,node-name=d0,file.driver=file,file.filename=\(disk)",
            "-blockdev", "driver=qcow2,node-name=t0,file.driver=file,file.filename=\(target)",
        ])
        let monitor = try await MonitorConnector.standard.connect(qemu.monitorPath)
        let editor = ScriptedLineEditor(lines: [
            ".jobs",
            "blockdev-backup job-id=bk device=d0 target=t0 sync=full speed=2097152",
            ".jobs",
            ".jobs follow",
            ".jobs",
        ], endsAfterLines: true)
        _ = await MonitorREPL(sessions: [monitor], editor: editor).run()
        let output = editor.output
        #expect(output.contains("no jobs"))
        #expect(output.contains("ID  TYPE    STATUS     PROGRESS"), "\(output)")
        #expect(output.contains("bk  backup  running"), "\(output)")
        // follow: plain progress lines, the last one when the job (auto-dismissed by QEMU) is gone.
        #expect(output.contains("bk running "), "\(output)")
        #expect(output.contains("bk null 100%"), "\(output)")
        #expect(output.hasSuffix("no jobs\n"), "\(output)")
        #expect(editor.errorOutput.isEmpty, "\(editor.errorOutput)")
        await monitor.close()
    }
}
