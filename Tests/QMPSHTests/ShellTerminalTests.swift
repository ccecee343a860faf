#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPWire
import QMP
import QMPTestSupport
import Synchronization

/// End to end: the built `qmpsh shell` in a real terminal (tmux), against a real QEMU, checked on the screen.
@Suite(.timeLimit(.minutes(2))) struct ShellTerminalTests {
    let qmpsh = ChildProcess.qmpsh  // $QMPKIT_QMPSH (the release build in CI), else the debug build

    /// QEMU with a second QMP monitor, through which the test makes events while the shell holds the first.
    func launchQEMU() async throws -> (QEMUProcess, QMPClient) {
        let qemu = try QEMUProcess.launch(arguments: [
            "-machine", "none", "-qmp", "unix:\(qemuSecondSocket),server=on,wait=off",
        ])
        return (qemu, try await connectSecond())
    }

    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "qmpkit-tty")
    }
    var qemuSecondSocket: String { directory.file("second.sock") }

    func connectSecond() async throws -> QMPClient {
        // The second socket exists once QEMU has set up its monitors; it is bound before the first one answers.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while true {
            do {
                return try await QMPClient.connect(to: .unix(path: qemuSecondSocket))
            } catch let error as QMPConnectionError where clock.now < deadline && (error.code == .notFound || error.code == .refused) {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test func tabCompletesCommandsAndListsArguments() async throws {
        let (qemu, _) = try await launchQEMU()
        let terminal = try await Tmux(qmpsh, "shell", qemu.monitorPath, "--history", directory.file("history"))
        try await terminal.waitForScreen { $0.contains("(qmp qmp.sock) ") }
        try await terminal.send("que", "Tab")
        try await terminal.waitForScreen { $0.lastLine == "(qmp qmp.sock) query-" }
        try await terminal.send("C-u", "blockdev-change-medium ", "Tab", "Tab")
        try await terminal.waitForScreen { screen in
            ["filename=", "force=", "format=", "id=", "read-only-mode="].allSatisfy(screen.contains)
        }
        let screen = try await terminal.screen()
        #expect(screen.lastLine == "(qmp qmp.sock) blockdev-change-medium", "\(screen)")
    }

    @Test func eventAboveAHalfTypedWrappedLineLeavesItIntact() async throws {
        let (qemu, second) = try await launchQEMU()
        let terminal = try await Tmux(qmpsh, qemu.monitorPath, "--history", directory.file("history"), width: 40)
        try await terminal.waitForScreen { $0.contains("(qmp qmp.sock) ") }
        let typed = #"human-monitor-command command-line="info status""#
        try await terminal.send(typed)
        // 15 columns of prompt and 48 of text: the line wraps over two rows of 40.
        try await terminal.waitForScreen { $0.lastLine == "(qmp qmp.sock) " + typed }
        _ = try await second.execute("stop")
        try await terminal.waitForScreen { $0.contains("] STOP") }
        let screen = try await terminal.screen()
        let lines = screen.nonEmptyLines
        #expect(lines.last == "(qmp qmp.sock) " + typed, "\(screen)")
        #expect(lines.dropLast().last?.hasSuffix("] STOP") == true, "\(screen)")
        #expect(screen.ranges(of: "human-monitor").count == 1, "no stale copy of the line: \(screen)")
        // The line is intact in the editor too: Enter sends it.
        try await terminal.send("Enter")
        try await terminal.waitForScreen { $0.contains(#""VM status: paused\r\n""#) }
        await second.close()
    }

    @Test func ctrlCClearsTheLineAndTheShellKeepsRunning() async throws {
        let (qemu, _) = try await launchQEMU()
        let terminal = try await Tmux(qmpsh, qemu.monitorPath, "--history", directory.file("history"))
        try await terminal.waitForScreen { $0.contains("(qmp qmp.sock) ") }
        try await terminal.send("something half typed")
        try await terminal.waitForScreen { $0.lastLine == "(qmp qmp.sock) something half typed" }
        try await terminal.send("C-c")
        try await terminal.waitForScreen { $0.contains("something half typed^C") && $0.lastLine == "(qmp qmp.sock)" }
        try await terminal.send("query-name", "Enter")
        try await terminal.waitForScreen { $0.nonEmptyLines.suffix(2) == ["{}", "(qmp qmp.sock)"] }
        #expect(try await terminal.exitStatus() == nil)
    }

    @Test func editsUTF8WithEmacsKeysAndRedrawsAfterAResize() async throws {
        let (qemu, second) = try await launchQEMU()
        let terminal = try await Tmux(qmpsh, qemu.monitorPath, "--history", directory.file("history"), width: 80)
        try await terminal.waitForScreen { $0.contains("(qmp qmp.sock) ") }
        try await terminal.send("héllo wörld ☃ ", "C-a", "x", "C-e", "y")
        try await terminal.waitForScreen { $0.lastLine == "(qmp qmp.sock) xhéllo wörld ☃ y" }
        // Narrower than prompt and line: after the resize an event still goes above the whole (now wrapped) line.
        try await terminal.tmux(["resize-window", "-t", "t", "-x", "20"])
        _ = try await second.execute("stop")
        try await terminal.waitForScreen { $0.contains("] STOP") }
        let screen = try await terminal.screen()
        #expect(screen.lastLine == "(qmp qmp.sock) xhéllo wörld ☃ y", "\(screen)")
        #expect(screen.ranges(of: "wörld").count == 1, "\(screen)")
        await second.close()
    }

    @Test func ctrlCStopsWaitingForAStuckQEMU() async throws {
        let (qemu, _) = try await launchQEMU()
        let terminal = try await Tmux(qmpsh, qemu.monitorPath, "--history", directory.file("history"))
        try await terminal.waitForScreen { $0.contains("(qmp qmp.sock) ") }
        try await terminal.send("query-name", "Enter")
        try await terminal.waitForScreen { $0.nonEmptyLines.suffix(2) == ["{}", "(qmp qmp.sock)"] }
        qemu.kill(SIGSTOP)
        try await terminal.send("query-status", "Enter")
        // The shell may not be waiting yet when the first Ctrl-C arrives (one with nothing to interrupt is
        // ignored), so press it until the shell reports the interruption.
        var interrupted = false
        for _ in 0..<20 where !interrupted {
            try await terminal.send("C-c")
            interrupted = (try? await terminal.waitForScreen(timeout: .milliseconds(500)) { $0.contains("Interrupted: ") }) != nil
        }
        #expect(interrupted)
        qemu.kill(SIGCONT)
        try await terminal.waitForScreen { $0.lastLine == "(qmp qmp.sock)" }
        try await terminal.send("query-kvm", "Enter")
        try await terminal.waitForScreen { $0.contains(#"{"enabled":false,"present":true}"#) }
        #expect(try await terminal.exitStatus() == nil)
    }

    @Test func historySurvivesARestart() async throws {
        let (qemu, _) = try await launchQEMU()
        let history = directory.file("state/qmpsh/history")
        do {
            let terminal = try await Tmux(qmpsh, qemu.monitorPath, "--history", history)
            try await terminal.waitForScreen { $0.contains("(qmp qmp.sock) ") }
            try await terminal.send("query-name", "Enter")
            // Keys typed before the next prompt reach a terminal in line mode, where Ctrl-D and Ctrl-R mean
            // something else (as in every line editor): wait for the prompt.
            try await terminal.waitForScreen { $0.nonEmptyLines.suffix(2) == ["{}", "(qmp qmp.sock)"] }
            try await terminal.send("C-d")
            #expect(try await terminal.waitForExit() == 0)
        }
        let terminal = try await Tmux(qmpsh, qemu.monitorPath, "--history", history)
        try await terminal.waitForScreen { $0.contains("(qmp qmp.sock) ") }
        try await terminal.send("Up")
        try await terminal.waitForScreen { $0.lastLine == "(qmp qmp.sock) query-name" }
        try await terminal.send("Enter")
        try await terminal.waitForScreen { $0.nonEmptyLines.suffix(2) == ["{}", "(qmp qmp.sock)"] }
        // Ctrl-R searches the history; Enter runs what it found.
        try await terminal.send("C-r", "nam")
        try await terminal.waitForScreen { $0.nonEmptyLines.suffix(2) == ["(qmp qmp.sock) query-name", "bck:nam"] }
        try await terminal.send("Enter")
        try await terminal.waitForScreen { $0.ranges(of: "{}").count == 2 }
    }

    @Test func aBadArgumentIsRefusedWithASuggestion() async throws {
        let (qemu, _) = try await launchQEMU()
        let terminal = try await Tmux(qmpsh, qemu.monitorPath, "--history", directory.file("history"))
        try await terminal.waitForScreen { $0.contains("(qmp qmp.sock) ") }
        try await terminal.send("blockdev-change-medium id=cdrom0 filname=/tmp/b.iso", "Enter")
        try await terminal.waitForScreen {
            $0.contains("ValidationError: unknown argument 'filname' for blockdev-change-medium — did you mean 'filename'?")
        }
    }

    @Test func qemuGoingAwayEndsTheShellWithThree() async throws {
        let (qemu, second) = try await launchQEMU()
        let terminal = try await Tmux(qmpsh, qemu.monitorPath, "--history", directory.file("history"))
        try await terminal.waitForScreen { $0.contains("QEMU 7") && $0.contains("VM running") && $0.contains("(qmp qmp.sock) ") }
        try await terminal.send("query-")
        await second.close()
        qemu.kill()
        #expect(try await terminal.waitForExit() == 3)
        let screen = try await terminal.screen()
        #expect(screen.contains("QEMU went away (\(qemu.monitorPath): "), "\(screen)")
    }

    @Test(.timeLimit(.minutes(2))) func bootWithShellOpensTheShellOnTheGuestAndShutsItDownAfter() async throws {
        let guest = (getenv("QMPKIT_GUEST_DIR").map { String(cString: $0) })
            ?? ((getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest")
        let terminal = try await Tmux(
            qmpsh, "boot", "--accel", "tcg", "-m", "256", "--kernel", guest + "/vmlinux", "--initrd", guest + "/initrd.gz",
            "--append", "console=ttyS0 quiet qmpkit.noecho", "--cdrom", guest + "/a.iso", "--shell", width: 160)
        try await terminal.waitForScreen(timeout: .seconds(30)) { $0.contains("VM running") && $0.lastLine == "(qmp qmp.sock)" }
        try await terminal.send("blockdev-change-medium id=cdrom0 filename=\(guest)/b.iso format=raw", "Enter")
        try await terminal.waitForScreen { screen in
            screen.contains(#"DEVICE_TRAY_MOVED {"device":"ide1-cd0","tray-open":false,"id":"cdrom0"}"#)
        }
        try await terminal.send(".quit", "Enter")
        #expect(try await terminal.waitForExit(timeout: .seconds(60)) == 0)
        #expect(try await terminal.screen().contains("# QEMU ended"))
    }

    // MARK: - Without a terminal

    @Test func aBareMonitorOpensTheShellAndReadsPipedLines() async throws {
        let qemu = try QEMUProcess.launch()
        let result = try await ChildProcess.run([qmpsh, qemu.monitorPath], input: "query-name\n!info status\ndevice_del id=x\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput == "{}\nVM status: running\n")
        #expect(result.standardError == "DeviceNotFound: Device 'x' not found\n")
    }

    @Test func aMistypedSubcommandIsNotTakenForASocket() async throws {
        let result = try await ChildProcess.run([qmpsh, "exce", "/tmp/x.sock", "query-status"])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("Error: 'exce' is neither a subcommand nor a monitor socket — did you mean 'exec'?"))
    }

    @Test func startupFailuresSayWhyAndExitThree() async throws {
        let missing = try await ChildProcess.run([qmpsh, "shell", directory.file("none.sock")])
        #expect(missing.status == 3)
        #expect(missing.standardError.hasPrefix("ConnectionError: cannot connect to \(directory.file("none.sock")): no such socket"))
        let qemu = try QEMUProcess.launch()
        let holder = try await qemu.connect()
        let busy = try await ChildProcess.run([qmpsh, qemu.monitorPath, "--timeout", "0.3"])
        #expect(busy.status == 3)
        #expect(busy.standardError.contains("is busy: another client holds the monitor"), "\(busy)")
        await holder.close()
        // A socket file with nothing listening on it: refused.
        let path = directory.file("refused.sock")
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let refused = try await ChildProcess.run([qmpsh, path])
        close(descriptor)
        #expect(refused.status == 3)
        #expect(refused.standardError.contains("nothing accepts connections there"), "\(refused)")
    }
}

/// One tmux server with one pane running a command, for driving a program in a real terminal. Its screen is
/// read with `capture-pane`; tmux offers nothing to wait on, so waits poll the screen (every 20 ms, with a
/// time limit).
final class Tmux: Sendable {
    private static let counter = Mutex(0)
    let socket: String
    let configuration: TemporaryDirectory
    let statusFile: String

    init(_ argv: String..., width: Int = 100, height: Int = 30) async throws {
        let number = Self.counter.withLock { value in
            value += 1
            return value
        }
        socket = "qmpkit-\(getpid())-\(number)"
        configuration = try TemporaryDirectory(prefix: "qmpkit-tmux")
        let file = configuration.file("tmux.conf")
        // The pane stays after the program exits, so its last screen can be read.
        try ChildProcess.writeFile(file, "set -g remain-on-exit on\nset -g status off\n")
        // The pane's shell writes the exit status to a file: tmux started from the test process does not always
        // reap its children (SIGCHLD may arrive blocked), so #{pane_dead_status} cannot be relied on.
        statusFile = configuration.file("status")
        let command = argv.map { "'" + $0.replacing("'", with: #"'\''"#) + "'" }.joined(separator: " ")
            + "; echo $? > \(statusFile).new && mv \(statusFile).new \(statusFile)"
        // The server is started with no signal blocked: it inherits the mask of the thread that starts it, and
        // test threads may block SIGCHLD and SIGTERM, which would keep the server from reaping the program or from
        // ending on kill-server.
        let status = Self.spawnAndWait([
            "tmux", "-L", socket, "-f", file, "new-session", "-d", "-s", "t", "-x", "\(width)", "-y", "\(height)", command,
        ])
        guard status == 0 else { throw TestSupportError("tmux new-session failed with status \(status)") }
    }

    /// Runs `argv` (from `PATH`) with an empty signal mask and default signal actions, waits for it, and returns
    /// its raw wait status (-1 when it could not be started).
    static func spawnAndWait(_ argv: [String]) -> Int32 {
        let started = spawnProcess(argv) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        guard case .success(let pid) = started else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// Ends the tmux server (and the program, if still running) before the test returns: waited for here, so no
    /// server outlives its test.
    deinit {
        _ = Self.spawnAndWait(["tmux", "-L", socket, "kill-server"])
        unlink("/tmp/tmux-\(getuid())/\(socket)")
    }

    @discardableResult
    func tmux(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run(["tmux", "-L", socket] + arguments, timeout: .seconds(10))
        guard result.status == 0 else { throw TestSupportError("tmux \(arguments.joined(separator: " ")): \(result)") }
        return result.standardOutput
    }

    /// Types keys: literal text, or tmux key names (`Tab`, `Enter`, `C-c`, `Up`).
    func send(_ keys: String...) async throws {
        try await tmux(["send-keys", "-t", "t"] + keys)
    }

    /// The visible screen, wrapped lines joined, trailing spaces removed.
    func screen() async throws -> String {
        try await tmux(["capture-pane", "-p", "-J", "-t", "t"])
    }

    /// Waits until `condition` holds for the screen; throws with the screen after `timeout`.
    func waitForScreen(timeout: Duration = .seconds(15), _ condition: (String) -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let text = try await screen()
            if condition(text) { return }
            guard clock.now < deadline else { throw TestSupportError("screen never matched; it shows:\n\(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The program's exit status once it has ended, else `nil`.
    func exitStatus() async throws -> Int32? {
        guard let text = try? ChildProcess.readFile(statusFile) else { return nil }
        return Int32(text.filter { !$0.isWhitespace })
    }

    /// Waits for the program to end and returns its exit status.
    func waitForExit(timeout: Duration = .seconds(15)) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let status = try await exitStatus() { return status }
            guard clock.now < deadline else {
                throw TestSupportError("the program is still running after \(timeout): \(try await screen())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension String {
    var nonEmptyLines: [String] {
        split(separator: "\n").map { String($0) }.map { line in
            var line = Substring(line)
            while line.last == " " { line.removeLast() }
            return String(line)
        }.filter { !$0.isEmpty }
    }

    /// The last line with text on it, without trailing spaces.
    var lastLine: String { nonEmptyLines.last ?? "" }
}
