#if canImport(Glibc)
import Glibc
#endif
import QMPTestSupport
import QMPWire

/// Start to a connected prompt for the interactive shell (issue 7), timed on a pseudo-terminal: from spawning
/// `qmpsh shell SOCK` until the prompt text appears on the terminal, then Ctrl-D and wait for the exit. The same
/// for python's `qmp-shell` when it is installed.
enum ShellBench {
    struct Figures {
        var best: Double
        var median: Double
    }

    /// Runs the measurement against one QEMU and prints the figures.
    static func run(rounds: Int) async throws {
        let qemu = try QEMUProcess.launch()
        let work = try TemporaryDirectory(prefix: "qmpkit-shellbench")
        let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
        let ours = try measure([qmpsh, "shell", qemu.monitorPath, "--history", work.file("history")], prompt: "(qmp ",
                               rounds: rounds)
        let idle = try once([qmpsh, "shell", qemu.monitorPath, "--history", work.file("history")], prompt: "(qmp ",
                            idleSeconds: 2).idleCPU ?? -1
        var line = "Shell, start → connected prompt on a pty (best / median of \(rounds)): qmpsh \(Bench.format2(ours.best)) / "
            + "\(Bench.format2(ours.median)) ms"
        if let python = try? measure(["qmp-shell", qemu.monitorPath], prompt: "(QEMU) ", rounds: max(3, rounds / 4)) {
            line += ", qmp-shell \(Bench.format2(python.best)) / \(Bench.format2(python.median)) ms"
        } else {
            line += " (qmp-shell not installed: pip install qemu.qmp)"
        }
        line += "; qmpsh CPU while idle at the prompt for 2 s: \(Bench.format2(idle)) %"
        print("\n" + line)
        qemu.kill()
    }

    /// Best and median milliseconds from spawn to `prompt` on the terminal.
    static func measure(_ argv: [String], prompt: String, rounds: Int) throws -> Figures {
        var times: [Double] = []
        for _ in 0..<rounds { times.append(try once(argv, prompt: prompt).milliseconds) }
        let sorted = times.sorted()
        return Figures(best: sorted[0], median: sorted[sorted.count / 2])
    }

    /// One start: milliseconds to the prompt, and with `idleSeconds` the CPU the process used (in % of one core)
    /// while it then waited at the prompt for that long.
    static func once(_ argv: [String], prompt: String, idleSeconds: Double = 0) throws -> (milliseconds: Double, idleCPU: Double?) {
        var master: Int32 = -1
        var slave: Int32 = -1
        var size = winsize(ws_row: 24, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw TestSupportError("openpty failed") }
        defer { close(master) }
        var environment = ["TERM=xterm"]
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            if !text.hasPrefix("TERM=") { environment.append(text) }
            index += 1
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = spawnProcess(argv, environment: environment, newSession: true) { actions in
            for target: Int32 in [0, 1, 2] { posix_spawn_file_actions_adddup2(&actions, slave, target) }
            posix_spawn_file_actions_addclose(&actions, slave)
            posix_spawn_file_actions_addclose(&actions, master)
        }
        close(slave)
        guard case .success(let pid) = result else { throw TestSupportError("cannot start \(argv[0])") }
        var screen: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let needle = Array(prompt.utf8)
        var elapsed: Duration?
        while elapsed == nil {
            var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 10_000) > 0 else { break }
            let count = read(master, &chunk, chunk.count)
            guard count > 0 else { break }
            screen += chunk[0..<count]
            if screen.count >= needle.count, contains(screen, needle) { elapsed = clock.now - start }
        }
        var idleCPU: Double?
        if idleSeconds > 0, elapsed != nil {
            // Measuring idleness needs time to pass: these sleeps are the measurement, not waits for something.
            // The first half second lets the schema fetch that starts with the prompt finish.
            usleep(500_000)
            let before = cpuTicks(pid)
            usleep(useconds_t(idleSeconds * 1_000_000))
            let after = cpuTicks(pid)
            idleCPU = Double(after - before) / Double(sysconf(Int32(_SC_CLK_TCK))) / idleSeconds * 100
        }
        // Ctrl-D leaves both shells; drain the terminal so the child never blocks writing, then reap it.
        var eot: UInt8 = 4
        _ = write(master, &eot, 1)
        while true {
            var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 5_000) > 0, read(master, &chunk, chunk.count) > 0 else { break }
        }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard let elapsed else {
            throw TestSupportError("\(argv[0]) showed no prompt; the terminal shows: \(String(decoding: screen, as: UTF8.self))")
        }
        return (GuestBench.milliseconds(elapsed), idleCPU)
    }

    /// User + system CPU ticks of `pid` so far (fields 14 and 15 of /proc/PID/stat).
    static func cpuTicks(_ pid: pid_t) -> Int {
        guard let text = try? ChildProcess.readFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
        guard fields.count > 12 else { return 0 }
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for offset in 0...(haystack.count - needle.count) where haystack[offset] == needle[0] {
            if Array(haystack[offset..<(offset + needle.count)]) == needle { return true }
        }
        return false
    }
}
