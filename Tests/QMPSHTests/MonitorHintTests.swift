#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPTestSupport
import QMPWire

/// Issue 15 follow-up, end to end on the built qmpsh against a real QEMU (TCG, `pc`, the runner's CD names):
/// "Device 'X' not found" names the devices there are (exec, hmp, shell, run), and a monitor held by another client
/// is reported as busy within 2 s whatever `--timeout` says.
@Suite(.timeLimit(.minutes(3)), .serialized) struct MonitorHintTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    static var guest: String { TestGuest.directory }

    /// QEMU on `pc` with a CD drive named as `qmpsh boot --cdrom` names it: drive `ide1-cd0`, device `cdrom0`.
    func qemuWithCD() throws -> QEMUProcess {
        let iso = Self.guest + "/a.iso"
        #expect(access(iso, R_OK) == 0, "\(iso) is missing: run scripts/setup.sh (it builds the test guest)")
        return try QEMUProcess.launch(arguments: [
            "-machine", "pc", "-accel", "tcg", "-m", "64",
            "-drive", "if=none,id=ide1-cd0,media=cdrom,format=raw,readonly=on,file=\(iso)",
            "-device", "ide-cd,drive=ide1-cd0,bus=ide.1,id=cdrom0",
        ])
    }

    static let listing = "devices: cdrom0 (drive ide1-cd0)"

    @Test func deviceNotFoundListsTheDevicesThereAre() async throws {
        let qemu = try qemuWithCD()
        // exec: the article's drive name where QMP wants the device id.
        let exec = try await ChildProcess.run(
            [qmpsh, "exec", qemu.monitorPath, "blockdev-change-medium", "id=ide1-cd0", "filename=/tmp/x.iso", "--no-validate"])
        #expect(exec.status == 1, "\(exec)")
        #expect(exec.standardError.contains("DeviceNotFound: Device 'ide1-cd0' not found — \(Self.listing)"), "\(exec)")
        // hmp: QEMU's own `change` with a name that is neither.
        let hmp = try await ChildProcess.run([qmpsh, "hmp", qemu.monitorPath, "change nosuch /tmp/x.iso"])
        #expect(hmp.status == 1, "\(hmp)")
        #expect(hmp.standardError.contains("Device 'nosuch' not found — \(Self.listing)"), "\(hmp)")
        // The shell, on a pipe.
        let shell = try await ChildProcess.run(
            [qmpsh, "shell", qemu.monitorPath],
            input: "blockdev-change-medium id=ide1-cd0 filename=/tmp/x.iso\nhmp change nosuch /tmp/x.iso\n")
        #expect(shell.standardError.contains("Device 'ide1-cd0' not found — \(Self.listing)"), "\(shell)")
        #expect(shell.standardError.contains("Device 'nosuch' not found — \(Self.listing)"), "\(shell)")
        // A script.
        let directory = try TemporaryDirectory(prefix: "qmpkit-hint")
        let script = directory.file("change.qmp")
        try ChildProcess.writeFile(script, "blockdev-change-medium id=ide1-cd0 filename=/tmp/x.iso\n")
        let run = try await ChildProcess.run([qmpsh, "run", script, "--monitor", qemu.monitorPath])
        #expect(run.status == 1, "\(run)")
        #expect((run.standardOutput + run.standardError).contains("Device 'ide1-cd0' not found — \(Self.listing)"), "\(run)")
    }

    /// QEMU greets a second client only when the first leaves; with `--timeout 30` exec waited 30 s and the shell 5 s.
    /// Each command gets a QEMU of its own: a monitor's listen backlog holds only ~2 pending connections, and a
    /// client that gave up stays queued there until QEMU accepts it, so a third connect would wait in the kernel (that
    /// connect keeps the full `--timeout`).
    @Test func aHeldMonitorIsReportedBusyWithinTwoSeconds() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-busy")
        let script = directory.file("status.qmp")
        try ChildProcess.writeFile(script, "query-status\n")
        let commands: [(String) -> [String]] = [
            { ["exec", $0, "query-status", "--timeout", "30"] },
            { ["hmp", $0, "info status", "--timeout", "30"] },
            { ["shell", $0, "--timeout", "30"] },
            { ["run", script, "--monitor", $0, "--timeout", "30"] },
        ]
        for command in commands {
            let qemu = try QEMUProcess.launch()
            let holder = try await qemu.connect()
            let argv = command(qemu.monitorPath)
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await ChildProcess.run([qmpsh] + argv, timeout: .seconds(40))
            let elapsed = clock.now - start
            #expect(result.status == 3, "\(argv): \(result)")
            #expect(result.standardError.contains("busy"), "\(argv): \(result)")
            // 2 s of silence, plus starting qmpsh on a loaded machine.
            #expect(elapsed < .seconds(8), "\(argv) took \(elapsed)")
            // The monitor itself is fine: its holder still gets answers.
            let status = try await holder.execute("query-status")
            #expect(status["status"]?.stringValue != nil, "\(status)")
            await holder.close()
            qemu.kill()
        }
    }
}
