#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPTestSupport
import Testing

/// Inputs that used to crash qmpsh (issue 20): each is now a usage error with exit status 2, never a signal.
@Suite(.timeLimit(.minutes(2))) struct CrashInputTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "qmpkit-hostile")
    }

    /// `--timeout 1e16|inf|nan|-1` on exec, events, hmp, run and the shell: SIGILL (exit 132) before, from a
    /// Double-to-Int64 conversion; now exit 2 with a message naming the option and the range.
    @Test(arguments: ["1e16", "inf", "nan", "1e300", "-1"])
    func outOfRangeTimeoutsAreUsageErrors(value: String) async throws {
        let socket = scratch.file("none.sock")
        let commands: [[String]] = [
            ["exec", socket, "query-status", "--timeout", value],
            ["events", socket, "--timeout", value],
            ["hmp", socket, "info status", "--timeout", value],
            ["shell", socket, "--timeout", value],
            [socket, "--timeout", value],
            ["run", "-", "--monitor", socket, "--timeout", value],
            // The subcommands that came with the agent, jobs and guests-by-name.
            ["migrate", socket, scratch.file("other.sock"), "--timeout", value],
            ["guest", "qga:" + socket, "info", "--timeout", value],
        ]
        for command in commands {
            let result = try await ChildProcess.run([qmpsh] + command, input: "query-status\n")
            #expect(result.status == 2, "\(command): \(result)")
            #expect(result.standardError.contains("--timeout"), "\(command): \(result)")
        }
        let others: [(command: [String], option: String)] = [
            (["guest", "qga:" + socket, "exec", "--program-timeout", value, "--", "true"], "--program-timeout"),
            (["stop", "no-such-guest", "--powerdown-timeout", value], "--powerdown-timeout"),
        ]
        for (command, option) in others {
            let result = try await ChildProcess.run([qmpsh] + command)
            #expect(result.status == 2, "\(command): \(result)")
            #expect(result.standardError.contains(option), "\(command): \(result)")
        }
    }

    /// A guest agent statement's `timeout=` is checked like every other duration.
    @Test func outOfRangeAgentTimeoutsAreParseErrors() async throws {
        let path = scratch.file("agent-durations.qmp")
        try ChildProcess.writeFile(path, "guest-wait-device disk vd1 timeout=1e300\n")
        let result = try await ChildProcess.run([qmpsh, "run", path, "--monitor", scratch.file("none.sock")])
        #expect(result.status == 2, "\(result)")
        #expect(result.standardError.contains("\(path):1:36: timeout= takes a number of seconds"), "\(result)")
    }

    /// `sleep 1e300`, `wait SHUTDOWN timeout=1e300`, `console-expect "x" timeout=1e300`: SIGILL before; now a
    /// parse error at FILE:LINE:COL, before anything is sent.
    @Test func outOfRangeDurationsInScriptsAreParseErrors() async throws {
        let path = scratch.file("durations.qmp")
        try ChildProcess.writeFile(path, """
            sleep 1e300
            wait SHUTDOWN timeout=1e300
            console-expect "x" timeout=1e300
            wait SHUTDOWN timeout=inf
            sleep 0.001

            """)
        let result = try await ChildProcess.run([qmpsh, "run", path, "--monitor", scratch.file("none.sock")])
        #expect(result.status == 2, "\(result)")
        #expect(result.standardError.contains("\(path):1:7: sleep takes a number of seconds"), "\(result)")
        #expect(result.standardError.contains("\(path):2:23: timeout= takes a number of seconds"), "\(result)")
        #expect(result.standardError.contains("\(path):3:28: timeout= takes a number of seconds"), "\(result)")
        #expect(result.standardError.contains("\(path):4:23:"), "\(result)")
        #expect(!result.standardError.contains(":5:"), "\(result)")
    }

    /// 24 lines of `set a{i+1}=${a{i}}${a{i}}` took 72 s and 6.1 GB; now an error at the `${` that passes 1 MiB.
    @Test func variableExpansionIsBounded() async throws {
        var text = "set a0=xxxxxxxxxxxxxxxx\n"
        for index in 0..<24 { text += "set a\(index + 1)=${a\(index)}${a\(index)}\n" }
        text += "query-status\n"
        let path = scratch.file("bomb.qmp")
        try ChildProcess.writeFile(path, text)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await ChildProcess.run([qmpsh, "run", path, "--monitor", scratch.file("none.sock")])
        let elapsed = clock.now - start
        #expect(result.status == 2, "\(result)")
        // 16 bytes doubled 16 times is 1 MiB: line 17 (a16) is the first statement past it; `${a15}` twice.
        #expect(result.standardError.contains("\(path):17:"), "\(result.standardError.prefix(2000))")
        #expect(result.standardError.contains("longer than 1048576 bytes"), "\(result.standardError.prefix(2000))")
        #expect(elapsed < .seconds(20), "took \(elapsed)")
        report("variable bomb of 24 doublings: exit \(result.status) in \(elapsed)")
    }

    /// `expect … matches "^(\w|\W|.)*(\w|\W|.)*Z$"` on QEMU's package string ran past 60 s (Swift's `Regex`
    /// backtracks, and no time limit applied); the linear matcher answers at once.
    @Test func aCatastrophicPatternFailsQuickly() async throws {
        let qemu = try QEMUProcess.launch()
        let path = scratch.file("regex.qmp")
        try ChildProcess.writeFile(path, #"""
            query-version
            expect .package matches '^(\w|\W|.)*(\w|\W|.)*Z$'
            expect .package matches "^Debian"

            """#)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await ChildProcess.run([qmpsh, "run", path, "--monitor", qemu.monitorPath, "--keep-going"])
        let elapsed = clock.now - start
        #expect(result.status == 1, "\(result)")
        #expect(result.standardError.contains("\(path):2:"), "\(result)")
        #expect(!result.standardError.contains("\(path):3:"), "\(result)")
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    /// A UTF-8 byte order mark at the start of a script used to give `'query-status' is not a command name`.
    @Test func aByteOrderMarkIsSkipped() async throws {
        let qemu = try QEMUProcess.launch()
        let path = scratch.file("bom.qmp")
        try ChildProcess.writeFile(path, "\u{FEFF}query-status\nexpect .running == true\n")
        let result = try await ChildProcess.run([qmpsh, "run", path, "--monitor", qemu.monitorPath])
        #expect(result.status == 0, "\(result)")
    }

    /// A script that other users can write runs, with a warning on standard error.
    @Test func aScriptWritableByOthersIsWarnedAbout() async throws {
        let path = scratch.file("open.qmp")
        try ChildProcess.writeFile(path, "query-status\n")
        #expect(chmod(path, 0o666) == 0)
        let result = try await ChildProcess.run([qmpsh, "run", path, "--monitor", scratch.file("none.sock")])
        #expect(result.standardError.contains("Warning: \(path) is writable by other users"), "\(result)")
        #expect(chmod(path, 0o644) == 0)
        let quiet = try await ChildProcess.run([qmpsh, "run", path, "--monitor", scratch.file("none.sock")])
        #expect(!quiet.standardError.contains("Warning"), "\(quiet)")
    }

    /// `--config` with a misspelt key used to be ignored while the guest booted without it.
    @Test func unknownConfigKeysAreRefusedWithASuggestion() async throws {
        let path = scratch.file("guest.json")
        try ChildProcess.writeFile(path, "\u{FEFF}{\"kernl\": \"/boot/vmlinuz\", \"memory\": {\"megabytes\": 256}}")
        let result = try await ChildProcess.run([qmpsh, "boot", "--config", path, "--detach"])
        #expect(result.status == 2, "\(result)")
        #expect(result.standardError.contains("unknown key 'kernl' — did you mean 'kernel'?"), "\(result)")
        try ChildProcess.writeFile(path, #"{"disks": [{"file": "/tmp/x.qcow2", "readonly": true}]}"#)
        let nested = try await ChildProcess.run([qmpsh, "boot", "--config", path, "--detach"])
        #expect(nested.status == 2, "\(nested)")
        #expect(nested.standardError.contains("unknown key 'readonly' in disks[0] — did you mean 'readOnly'?"), "\(nested)")
    }
}
