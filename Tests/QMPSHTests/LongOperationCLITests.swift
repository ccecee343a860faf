#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPTestSupport
import QMPWire

/// `qmpsh backup`, `jobs`, `snapshot`, `migrate` and the script statements `job-wait` / `migrate-wait`, run as
/// the built binary against real QEMUs (a `pc` machine with a qcow2 disk; no guest needs to boot for these).
@Suite(.timeLimit(.minutes(3))) struct LongOperationCLITests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    static func machine(disk: String) -> [String] {
        ["-machine", "pc", "-accel", "tcg", "-m", "64",
         "-blockdev", "driver=qcow2,node-name=d0,file.driver=file,file.filename=\(disk)",
         "-device", "virtio-blk-pci,drive=d0,id=vd0"]
    }

    @Test func backupJobsSnapshotMigrate() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-cli-jobs")
        defer { directory.remove() }
        let disk = directory.file("d0.qcow2")
        let created = try await ChildProcess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "32M"])
        try #require(created.status == 0, "\(created)")
        let source = try QEMUProcess.launch(arguments: Self.machine(disk: disk))
        let monitor = source.monitorPath

        // Internal snapshots (before the backups: QEMU refuses to load one while a dirty bitmap is active).
        for action in ["save", "load"] {
            let result = try await run([qmpsh, "snapshot", action, monitor, "s1"])
            #expect(result.status == 0, "\(action): \(result)")
            if action == "save" {
                let listed = try await run([qmpsh, "snapshot", "list", monitor, "--json"])
                #expect(try JSON(parsing: listed.standardOutput).arrayValue?.first?["name"] == "s1", "\(listed)")
            }
        }
        let deleted = try await run([qmpsh, "snapshot", "delete", monitor, "s1"])
        #expect(deleted.status == 0, "\(deleted)")
        let listed = try await run([qmpsh, "snapshot", "list", monitor, "--json"])
        #expect(listed.standardOutput == "[]\n", "deleted: \(listed)")

        // A full backup in a pipe: plain progress lines, the last one at 100%.
        let full = directory.file("full.qcow2")
        let backup = try await run([qmpsh, "backup", monitor, "--disk", "vd0", "--to", full])
        #expect(backup.status == 0, "\(backup)")
        #expect(backup.standardOutput.split(separator: "\n").last?.hasPrefix("qmpkit-backup concluded 100%") == true, "\(backup.standardOutput)")
        let check = try await ChildProcess.run(["qemu-img", "check", full])
        #expect(check.status == 0 && check.standardOutput.contains("No errors"), "\(check)")
        var info = stat()
        #expect(stat(full, &info) == 0 && info.st_mode & 0o077 == 0, "the backup is private to its owner")
        // An incremental one with --json: progress objects.
        let incremental = try await run([qmpsh, "backup", monitor, "--disk", "vd0", "--to", directory.file("inc.qcow2"), "--incremental", "--json"])
        #expect(incremental.status == 0, "\(incremental)")
        let objects = incremental.standardOutput.split(separator: "\n").compactMap { try? JSON(parsing: String($0)) }
        #expect(!objects.isEmpty && objects.last?["status"] == "concluded" && objects.last?["fraction"] == 1.0, "\(incremental.standardOutput)")
        // An existing file is never overwritten.
        let again = try await run([qmpsh, "backup", monitor, "--disk", "vd0", "--to", full])
        #expect(again.status == 2 && again.standardError.contains("cannot create"), "\(again)")
        let jobs = try await run([qmpsh, "jobs", monitor])
        #expect(jobs.status == 0 && jobs.standardOutput == "no jobs\n", "\(jobs)")
        // With the backup's dirty bitmap active, QEMU refuses to load a snapshot; the message says how the guest is.
        let saved = try await run([qmpsh, "snapshot", "save", monitor, "s2"])
        #expect(saved.status == 0, "\(saved)")
        let refusedLoad = try await run([qmpsh, "snapshot", "load", monitor, "s2"])
        #expect(refusedLoad.status == 1 && refusedLoad.standardError.contains("dirty bitmaps") && refusedLoad.standardError.contains("restore-vm"), "\(refusedLoad)")
        _ = try await run([qmpsh, "exec", monitor, "cont"])

        // Scripts: job-wait on a job the script starts; migrate-wait reports QEMU's error.
        let target = directory.file("script.qcow2")
        _ = try await ChildProcess.run(["qemu-img", "create", "-q", "-f", "qcow2", target, "32M"])
        let script = directory.file("jobs.qmp")
        let text = """
            blockdev-add driver=qcow2 node-name=t0 file.driver=file file.filename=\(target)
            blockdev-backup job-id=j1 device=d0 target=t0 sync=full
            job-wait j1 timeout=60
            expect .id == "j1"
            query-jobs
            expect . == []
            migrate uri=unix:\(directory.file("nobody.sock"))
            migrate-wait timeout=60
            """
        try #require(writeFile(script, text))
        let scriptRun = try await run([qmpsh, "run", script, "--monitor", monitor])
        #expect(scriptRun.status == 1, "\(scriptRun)")
        #expect(scriptRun.standardError.contains("jobs.qmp:8") && scriptRun.standardError.contains("MigrationFailed"), "\(scriptRun)")

        // Live migration to a QEMU waiting with -incoming defer; the source is told to quit.
        let destination = try QEMUProcess.launch(arguments: Self.machine(disk: disk) + ["-incoming", "defer"])
        let refused = try await run([qmpsh, "migrate", destination.monitorPath, monitor])
        #expect(refused.status == 2 && refused.standardError.contains("inmigrate, not running"), "\(refused)")
        let migrate = try await run([qmpsh, "migrate", monitor, destination.monitorPath])
        #expect(migrate.status == 0, "\(migrate)")
        #expect(migrate.standardOutput.split(separator: "\n").last?.hasPrefix("migration completed 100%") == true, "\(migrate.standardOutput)")
        guard migrate.status == 0 else {
            source.kill()
            return
        }
        try await source.waitForExit(timeout: .seconds(30))
        let status = try await run([qmpsh, "exec", destination.monitorPath, "query-status"])
        #expect(status.standardOutput.contains("\"running\""), "\(status)")
    }

    /// Runs a command; a failure to finish names the command.
    func run(_ argv: [String]) async throws -> ProcessResult {
        do {
            return try await ChildProcess.run(argv)
        } catch {
            throw TestSupportError("\(argv.dropFirst().joined(separator: " ")): \(error)")
        }
    }

    func writeFile(_ path: String, _ text: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        return write(descriptor, bytes, bytes.count) == bytes.count
    }
}
