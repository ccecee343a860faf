#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPTestSupport

/// End to end on the built qmpsh (`$QMPKIT_QMPSH`: the release build in CI, else the debug build), as a person at
/// a terminal uses it (tmux): the foreground boot is the guest's console, a Ctrl-C there asks before powering down,
/// Ctrl-Z never reaches QEMU, Ctrl-] and `.console` switch between console and shell, QEMU's own spellings, the
/// article's CD names, a screen to look at (OCR with tesseract), guests found by name (ps, stop, a second
/// monitor), and no runtime directory left on any exit path. Each test has a private `XDG_RUNTIME_DIR`.
@Suite(.timeLimit(.minutes(3)), .serialized) struct RunnerTerminalTests {
    let qmpsh = ChildProcess.qmpsh  // $QMPKIT_QMPSH (the release build in CI), else the debug build
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "qmpkit-rt")
        mkdir(runtime, 0o700)
    }

    /// The test's XDG_RUNTIME_DIR; guests live in `runtime/qmpsh`.
    var runtime: String { directory.file("run") }

    static var guest: String {
        (getenv("QMPKIT_GUEST_DIR").map { String(cString: $0) })
            ?? ((getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest")
    }

    /// The busybox test guest's boot options (with its terminal echo on, as a real one has).
    static var guestBoot: [String] {
        ["--accel", "tcg", "-m", "256", "--kernel", guest + "/vmlinux", "--initrd", guest + "/initrd.gz",
         "--append", "console=ttyS0 quiet", "--cdrom", guest + "/a.iso"]
    }

    func command(_ arguments: [String]) -> [String] { ["env", "XDG_RUNTIME_DIR=\(runtime)", qmpsh] + arguments }

    /// `cd FOLDER && exec env XDG_RUNTIME_DIR=… qmpsh ARGUMENTS` as one shell line.
    func shellLine(_ arguments: [String]) -> String {
        let line = command(arguments).map { "'" + $0.replacing("'", with: #"'\''"#) + "'" }.joined(separator: " ")
        return "cd '\(directory.path)' && exec \(line)"
    }

    /// qmpsh with ARGUMENTS in a terminal.
    func terminal(_ arguments: [String], width: Int = 100) async throws -> Tmux {
        try await Tmux("sh", "-c", shellLine(arguments), width: width)
    }

    /// Runs qmpsh in the test's folder (relative paths are the user's).
    @discardableResult
    func qmpshHere(_ arguments: String..., timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        try await ChildProcess.run(["sh", "-c", shellLine(arguments)], timeout: timeout)
    }

    /// Entries under the guests' folder.
    func leftovers() -> [String] {
        guard let folder = opendir(runtime + "/qmpsh") else { return [] }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Waits until no guest directory is left (the watcher removes it once QEMU has ended).
    func expectNoLeftovers(timeout: Duration = .seconds(20)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !leftovers().isEmpty && clock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(leftovers().isEmpty, "left behind: \(leftovers())")
    }

    /// `query-status` through the guest's second monitor, found by name; the whole result when it fails.
    func status(of guest: String) async throws -> String {
        let result = try await qmpshHere("exec", guest, "query-status", "--timeout", "10")
        return result.status == 0 ? result.standardOutput : "\(result)"
    }

    @Test func foregroundBootIsTheConsoleAndCtrlCAsksBeforeAnything() async throws {
        let boot = ["boot", "--name", "fg", "--powerdown-timeout", "2"] + Self.guestBoot
        let terminal = try await terminal(boot, width: 160)
        try await terminal.waitForScreen(timeout: .seconds(90)) { $0.contains("guest# ") }
        #expect(try await terminal.screen().contains("Ctrl-C asks whether to power the guest down"))
        // Typed characters reach the guest's shell.
        try await terminal.send("echo typed-ok", "Enter")
        try await terminal.waitForScreen { $0.nonEmptyLines.contains("typed-ok") }
        // A first Ctrl-C asks on qmpsh's side; `n` goes back to the console with nothing sent, the guest's line as
        // it was, and QEMU keeps running (its second monitor serves others).
        try await terminal.send("C-c")
        try await terminal.waitForScreen { $0.lastLine.hasPrefix("# power the guest down? [y/N]") }
        try await terminal.send("n")
        try await terminal.waitForScreen { $0.lastLine == "guest#" && !$0.contains("power the guest down?") }
        #expect(try await status(of: "fg").contains(#""status":"running""#))
        // Ctrl-C twice is Ctrl-C for the guest: it stops a `sleep 100` there, so the next command runs at once.
        try await terminal.send("sleep 100", "Enter")
        try await terminal.waitForScreen { $0.lastLine.hasSuffix("sleep 100") }
        try await terminal.send("C-c")
        try await terminal.waitForScreen { $0.lastLine.hasPrefix("# power the guest down? [y/N]") }
        try await terminal.send("C-c")
        try await terminal.send("echo after-sleep", "Enter")
        try await terminal.waitForScreen(timeout: .seconds(30)) { $0.nonEmptyLines.contains("after-sleep") }
        // Ctrl-Z is a key for the guest: QEMU keeps running.
        try await terminal.send("C-z")
        #expect(try await status(of: "fg").contains(#""status":"running""#))
        try await terminal.send("echo still-here", "Enter")
        try await terminal.waitForScreen { $0.nonEmptyLines.contains("still-here") }
        // Ctrl-] opens the monitor shell, where Ctrl-C clears the line; the article's drive name works there.
        try await terminal.send("C-]")
        try await terminal.waitForScreen { $0.lastLine == "(qmp fg)" }
        try await terminal.send("query-sta")
        try await terminal.waitForScreen { $0.lastLine == "(qmp fg) query-sta" }
        try await terminal.send("C-c")
        try await terminal.waitForScreen { $0.contains("(qmp fg) query-sta^C") && $0.lastLine == "(qmp fg)" }
        #expect(try await status(of: "fg").contains(#""status":"running""#))
        try await terminal.send("!change ide1-cd0 \(Self.guest)/b.iso", "Enter")
        try await terminal.waitForScreen { $0.contains("DEVICE_TRAY_MOVED") && $0.lastLine == "(qmp fg)" }
        // .console goes back to the console, where the guest reads disc B; Ctrl-] returns to the shell.
        try await terminal.send(".console", "Enter")
        try await terminal.waitForScreen { $0.contains("Ctrl-] comes back to the shell") }
        try await terminal.send("mount -t iso9660 /dev/sr0 /mnt && cat /mnt/LABEL; umount /mnt", "Enter")
        try await terminal.waitForScreen(timeout: .seconds(30)) { $0.nonEmptyLines.contains("disc-B") }
        try await terminal.send("C-]")
        try await terminal.waitForScreen { $0.lastLine == "(qmp fg)" }
        try await terminal.send(".quit", "Enter")
        #expect(try await terminal.waitForExit(timeout: .seconds(60)) == 0)
        try await expectNoLeftovers()
    }

    /// Ctrl-C then `y` on the console powers the guest down (the shutdown ladder) and leaves nothing behind; a
    /// Ctrl-C during the power-down time forces the guest off.
    @Test func ctrlCAndYPowerTheGuestDown() async throws {
        let terminal = try await terminal(["boot", "--name", "yes", "--powerdown-timeout", "120"] + Self.guestBoot, width: 160)
        try await terminal.waitForScreen(timeout: .seconds(90)) { $0.contains("guest# ") }
        try await terminal.send("C-c")
        try await terminal.waitForScreen { $0.lastLine.hasPrefix("# power the guest down? [y/N]") }
        try await terminal.send("y")
        try await terminal.waitForScreen { $0.contains("# asking the guest to power down") }
        // The test guest ignores system_powerdown: without the next Ctrl-C this would take 120 s.
        let clock = ContinuousClock()
        let forced = clock.now
        try await terminal.send("C-c")
        #expect(try await terminal.waitForExit(timeout: .seconds(60)) == 0)
        #expect(clock.now - forced < .seconds(30))
        let screen = try await terminal.screen()
        #expect(screen.contains("forcing the guest off") && screen.contains("# QEMU ended"), "\(screen)")
        try await expectNoLeftovers()
    }

    /// Without a terminal there is no one to ask: a first SIGINT powers the guest down (and says so), a second one
    /// forces it off at once instead of waiting out the power-down time.
    @Test func withoutATerminalSIGINTPowersDownAndASecondForcesItOff() async throws {
        let output = directory.file("boot.out")
        let errors = directory.file("boot.err")
        let pidFile = directory.file("boot.pid")
        // qmpsh in the background with no terminal (input /dev/null, output to files); the pane only waits for it.
        let boot = shellLine(["boot", "--name", "bg", "--powerdown-timeout", "120"] + Self.guestBoot)
        let terminal = try await Tmux(
            "sh", "-c", "(\(boot)) </dev/null >'\(output)' 2>'\(errors)' & echo $! >'\(pidFile)'; wait $!")
        try await waitForFile(output, timeout: .seconds(90)) { $0.contains("guest# ") }
        let pid = pid_t(try ChildProcess.readFile(pidFile).filter(\.isNumber)) ?? 0
        #expect(pid > 0)
        kill(pid, SIGINT)
        try await waitForFile(errors) { $0.contains("# Ctrl-C (SIGINT): powering the guest down") }
        #expect(try await status(of: "bg").contains(#""status":"running""#), "the guest is given time to power down")
        let clock = ContinuousClock()
        let forced = clock.now
        kill(pid, SIGINT)
        #expect(try await terminal.waitForExit(timeout: .seconds(60)) == 0)
        #expect(clock.now - forced < .seconds(30), "the second SIGINT did not force it off (power-down time 120 s)")
        #expect(try ChildProcess.readFile(errors).contains("again: forcing the guest off"))
        try await expectNoLeftovers()
    }

    /// `qmpsh run` on a guest it booted: the first SIGINT stops the script and powers the guest down, a second one
    /// forces it off (it used to be swallowed while the power-down time ran out).
    @Test func aRunOnABootedGuestStopsOnSIGINTAndASecondForcesItOff() async throws {
        try ChildProcess.writeFile(directory.file("wait.qmp"), "console-expect \"never-printed\" timeout=300\n")
        let errors = directory.file("run.err")
        let pidFile = directory.file("run.pid")
        let serial = directory.file("serial.log")
        let run = shellLine(["run", "wait.qmp", "--powerdown-timeout", "120", "--serial-log", serial] + Self.guestBoot)
        let terminal = try await Tmux("sh", "-c", "(\(run)) </dev/null >/dev/null 2>'\(errors)' & echo $! >'\(pidFile)'; wait $!")
        // The script waits for text that never comes, once the guest is up.
        try await waitForFile(serial, timeout: .seconds(90)) { $0.contains("guest# ") }
        let pid = pid_t(try ChildProcess.readFile(pidFile).filter(\.isNumber)) ?? 0
        #expect(pid > 0)
        let clock = ContinuousClock()
        kill(pid, SIGINT)
        try await waitForFile(errors) { $0.contains("stopping the script and shutting the guest down") }
        let forced = clock.now
        kill(pid, SIGINT)
        let status = try await terminal.waitForExit(timeout: .seconds(60))
        #expect(status != 0, "a stopped script is not a success")
        #expect(clock.now - forced < .seconds(30), "the second SIGINT did not force it off (power-down time 120 s)")
        #expect(try ChildProcess.readFile(errors).contains("again: forcing the guest off"))
        try await expectNoLeftovers()
    }

    /// Waits until the file at `path` satisfies `condition`; fails with its text after `timeout`.
    func waitForFile(_ path: String, timeout: Duration = .seconds(30), _ condition: (String) -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let text = (try? ChildProcess.readFile(path)) ?? ""
            if condition(text) { return }
            guard clock.now < deadline else { throw TestSupportError("\(path) never showed what was expected:\n\(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func ctrlCAndCtrlZInBootShellLeaveTheGuestRunning() async throws {
        var boot = ["boot", "--name", "sh", "--shell", "--powerdown-timeout", "2"] + Self.guestBoot
        boot += ["--append", "console=ttyS0 quiet qmpkit.noecho"]
        let terminal = try await terminal(boot, width: 160)
        try await terminal.waitForScreen(timeout: .seconds(60)) { $0.lastLine == "(qmp sh)" }
        // Ctrl-C in the shell clears the line; the guest runs on.
        try await terminal.send("query-sta")
        try await terminal.waitForScreen { $0.lastLine == "(qmp sh) query-sta" }
        try await terminal.send("C-c")
        try await terminal.waitForScreen { $0.contains("(qmp sh) query-sta^C") && $0.lastLine == "(qmp sh)" }
        let running = try await status(of: "sh")
        #expect(running.contains(#""status":"running""#), "\(running)")
        // On the console (.console), Ctrl-C asks too; `n` keeps the guest, Ctrl-] comes back.
        try await terminal.send(".console", "Enter")
        try await terminal.waitForScreen { $0.contains("Ctrl-C asks whether to power the guest down") }
        try await terminal.send("C-c")
        try await terminal.waitForScreen { $0.lastLine.hasPrefix("# power the guest down? [y/N]") }
        try await terminal.send("n")
        try await terminal.waitForScreen { !$0.contains("power the guest down?") }
        try await terminal.send("C-]")
        try await terminal.waitForScreen { $0.lastLine == "(qmp sh)" }
        // Ctrl-Z stops qmpsh (and the pane's shell), never QEMU: it still answers on its second monitor.
        try await terminal.send("C-z")
        let afterStop = try await status(of: "sh")
        #expect(afterStop.contains(#""status":"running""#), "\(afterStop)")
        let pane = try await terminal.tmux(["display", "-p", "-t", "t", "#{pane_pid}"]).filter { (character: Character) in character.isNumber }
        kill(-(pid_t(pane) ?? 0), SIGCONT)
        try await terminal.send("query-status", "Enter")
        try await terminal.waitForScreen { $0.contains(#""status":"running""#) && $0.lastLine == "(qmp sh)" }
        try await terminal.send(".quit", "Enter")
        #expect(try await terminal.waitForExit(timeout: .seconds(60)) == 0)
        try await expectNoLeftovers()
    }

    /// The KVM article as written, on Debian's GRUB rescue ISO: QEMU's spellings, a screen, keys, `ps`, `stop`.
    @Test func theArticlesCommandsWorkAsWritten() async throws {
        let iso = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
        #expect(access(iso, R_OK) == 0, "\(iso) is missing: install grub-rescue-pc (scripts/setup.sh does)")
        #expect(try await qmpshHere("img", "create", "-f", "qcow2", "d.qcow2", "64M").status == 0)
        let help = try await qmpshHere("boot", "-M", "help")
        #expect(help.status == 0 && help.standardOutput.contains("q35"), "\(help)")
        #expect(try await qmpshHere("boot", "-M", "?").standardOutput.contains("q35"))
        let boot = try await qmpshHere(
            "boot", "-name", "my-VM", "-hda", "d.qcow2", "-cdrom", iso, "-boot", "d", "-m", "1G", "--accel", "tcg", "--detach")
        #expect(boot.status == 0, "\(boot)")
        #expect(boot.standardOutput.hasPrefix("monitor: \(runtime)/qmpsh/my-VM/monitor.sock\npid: "), "\(boot)")
        let ps = try await qmpshHere("ps")
        #expect(ps.standardOutput.split(separator: "\n").contains { $0.hasPrefix("my-VM\t") }, "\(ps)")
        // The GRUB menu on the screen, in a PNG at a path relative to the user's folder.
        try await waitForScreenText(of: "my-VM") { $0.contains("GRUB") }
        try await qmpshHere("type", "my-VM", "c")
        try await qmpshHere("type", "my-VM", #"ls\n"#)
        try await waitForScreenText(of: "my-VM") { $0.contains("(cd)") || $0.contains("(hd0)") }
        // The article's drive names, and `info block` through the monitor by name.
        let block = try await qmpshHere("hmp", "my-VM", "info block")
        #expect(block.standardOutput.contains("ide0-hd0") && block.standardOutput.contains("ide1-cd0"), "\(block)")
        #expect(block.standardOutput.contains("d.qcow2 (qcow2)"), "the probed format is passed: \(block)")
        // The table's monitor steps in `qmpsh shell my-VM` (the guest's name as the monitor; it used to be refused
        // as "neither a subcommand nor a monitor socket"), with a CD image relative to the user's folder.
        #expect(try await ChildProcess.run(["cp", iso, directory.file("my.iso")]).status == 0)
        let shell = try await ChildProcess.run(
            ["sh", "-c", shellLine(["shell", "my-VM", "--check"])],
            input: "!change ide1-cd0 my.iso\n!info block\n!eject ide1-cd0\n!info block\n")
        #expect(shell.status == 0 && shell.standardOutput.contains(directory.file("my.iso")), "\(shell)")
        #expect(shell.standardOutput.contains("not inserted") && !shell.standardError.contains("Error"), "\(shell)")
        let stop = try await qmpshHere("stop", "my-VM", "--powerdown-timeout", "0")
        #expect(stop.status == 0, "\(stop)")
        try await expectNoLeftovers()
    }

    /// Screenshots `guest` into `shot.png` (relative to the test's folder) until its OCR satisfies `condition`.
    func waitForScreenText(of guest: String, timeout: Duration = .seconds(90), _ condition: (String) -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var text = ""
        while clock.now < deadline {
            let shot = try await qmpshHere("screenshot", guest, "shot.png")
            #expect(shot.status == 0, "\(shot)")
            text = try await ChildProcess.run(["tesseract", directory.file("shot.png"), "-"]).standardOutput
            if condition(text) { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("the screen never showed what was expected; OCR: \(text)")
    }

    @Test func qemuSpellingsAreReadOrRefusedWithAPointer() async throws {
        // -hda used to read as -h (help, exit 0), -name as -n, -smp as -s; -m 1G was refused.
        let refused = try await qmpshHere("boot", "-hda", "/nonexistent.img", "-name", "x", "-smp", "2", "-m", "1G", "--accel", "tcg", "--detach")
        #expect(refused.status == 2 && refused.standardError.contains("/nonexistent.img"), "\(refused)")
        let monitor = try await qmpshHere("boot", "-monitor", "stdio")
        #expect(monitor.status == 2 && monitor.standardError.contains("qmpsh shell"), "\(monitor)")
        let multicast = try await qmpshHere("boot", "--kernel", Self.guest + "/vmlinux", "-net", "nic,macaddr=01:00:5e:00:00:01", "-net", "user")
        #expect(multicast.status == 2 && multicast.standardError.contains("multicast"), "\(multicast)")
        let helpText = try await qmpshHere("boot", "--help")
        #expect(helpText.standardOutput.contains("QEMU's default") || helpText.standardOutput.contains("Default: user"), "\(helpText)")
    }

    /// `doctor` used to print nothing for seconds: on a terminal it says what it is checking.
    @Test func doctorShowsProgressOnATerminal() async throws {
        let terminal = try await terminal(["doctor", "--quick"])
        try await terminal.waitForScreen { $0.contains("# checking QEMU and qemu-img") && $0.contains("# starting QEMU under KVM and TCG") }
        #expect(try await terminal.waitForExit(timeout: .seconds(30)) == 0)
    }

    /// SIGKILLed foreground boots, and a detached guest told to quit, leave no runtime directory.
    @Test func noRuntimeDirectoryIsLeftAfterKillsOrQuit() async throws {
        for round in 0..<25 {
            let terminal = try await terminal(["boot", "--name", "k\(round)", "--accel", "tcg", "-m", "64", "--net", "none"])
            try await terminal.waitForScreen(timeout: .seconds(30)) { $0.contains("# monitor: ") }
            let pane = try await terminal.tmux(["display", "-p", "-t", "t", "#{pane_pid}"]).filter { (character: Character) in character.isNumber }
            let children = try await ChildProcess.run(["pgrep", "-P", pane]).standardOutput
            for child in children.split(separator: "\n") { kill(pid_t(child) ?? 0, SIGKILL) }
            _ = try await terminal.waitForExit(timeout: .seconds(10))
        }
        try await expectNoLeftovers(timeout: .seconds(30))
        let detached = try await qmpshHere("boot", "--name", "d", "--accel", "tcg", "-m", "64", "--net", "none", "--detach")
        #expect(detached.status == 0, "\(detached)")
        #expect(!leftovers().isEmpty)
        _ = try await qmpshHere("exec", "d", "quit")
        try await expectNoLeftovers()
    }
}
