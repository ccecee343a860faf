#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPTestSupport
import Testing

/// What users of `qmpsh` saw of the I/O core's defects (issue 14), end to end with the built binary.
@Suite(.timeLimit(.minutes(2))) struct IOCoreCLITests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    /// A monitor that greets and then never answers.
    static func silentMonitor(connections: Int) throws -> FakeQMPServer {
        try FakeQMPServer(connections: connections) { peer in
            try peer.negotiate()
            while try peer.receive(timeout: .seconds(60)) != nil {}
        }
    }

    /// `exec` exited 3 and `run` exited 1 with `Timeout: Timeout: no answer…`: one classifier now, one status.
    @Test func execAndRunReportANeverAnsweringMonitorAlike() async throws {
        let server = try Self.silentMonitor(connections: 2)
        let exec = try await ChildProcess.run([qmpsh, "exec", server.path, "query-status", "--no-validate", "--timeout", "1"])
        #expect(exec.status == 3, "\(exec)")
        #expect(exec.standardError == "Timeout: no answer to query-status within 1s\n", "\(exec)")
        let directory = try TemporaryDirectory(prefix: "qmpkit-silent")
        try ChildProcess.writeFile(directory.file("s.qmp"), "query-status\n")
        let run = try await ChildProcess.run([
            qmpsh, "run", directory.file("s.qmp"), "--monitor", server.path, "--no-validate", "--timeout", "1",
        ])
        #expect(run.status == 3, "\(run)")
        #expect(run.standardError.contains("Timeout: no answer to query-status within 1s"), "\(run)")
        #expect(!run.standardError.contains("Timeout: Timeout:"), "\(run)")
    }

    /// Fed from a pipe, the shell waited for a stopped monitor until SIGINT; now each command has --timeout.
    @Test func theShellAppliesItsTimeoutToEachCommand() async throws {
        let server = try Self.silentMonitor(connections: 1)
        let clock = ContinuousClock()
        let start = clock.now
        let shell = try await ChildProcess.run(
            [qmpsh, "shell", server.path, "--timeout", "1"], input: "query-status\n", timeout: .seconds(30))
        #expect(clock.now - start < .seconds(10), "\(shell)")
        #expect(shell.standardError.contains("Timeout: no answer to query-status within 1s"), "\(shell)")
    }

    /// Six `qmpsh exec --timeout 2` against a stopped QEMU: two used to exit 3 after 2 s while four stayed blocked
    /// in `connect()` (the listen backlog holds two). All six end now.
    @Test func execAgainstAStoppedQEMUEndsAtItsTimeout() async throws {
        let qemu = try QEMUProcess.launch()
        let ready = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "query-status"])
        #expect(ready.status == 0, "\(ready)")
        kill(qemu.pid, SIGSTOP)
        defer { kill(qemu.pid, SIGCONT) }
        let clock = ContinuousClock()
        let start = clock.now
        let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await ChildProcess.run(
                        [qmpsh, "exec", qemu.monitorPath, "query-status", "--timeout", "2"], timeout: .seconds(20))
                }
            }
            var results: [ProcessResult] = []
            for try await result in group { results.append(result) }
            return results
        }
        let elapsed = clock.now - start
        #expect(results.allSatisfy { $0.status == 3 }, "\(results)")
        #expect(elapsed < .seconds(10), "six exec runs took \(elapsed)")
        print("figure: six qmpsh exec --timeout 2 against a stopped QEMU ended within \(elapsed)")
    }

    /// `-v` shows the wire on stderr and `--transcript` writes it to a file, on every subcommand that talks to a
    /// monitor; secrets are redacted in both.
    @Test func verboseAndTranscriptShowTheWireRedacted() async throws {
        let qemu = try QEMUProcess.launch()
        let directory = try TemporaryDirectory(prefix: "qmpkit-wire")
        let transcript = directory.file("t.jsonl")
        let exec = try await ChildProcess.run([
            qmpsh, "exec", qemu.monitorPath, "object-add", "qom-type=secret", "id=s0", "data=hunter2", "-v",
            "--transcript", transcript,
        ])
        #expect(exec.status == 0, "\(exec)")
        #expect(exec.standardError.contains(#"-> {"execute":"object-add""#), "\(exec)")
        #expect(exec.standardError.contains(#"<- {"return":{}}"#), "\(exec)")
        #expect(!exec.standardError.contains("hunter2"))
        let written = try ChildProcess.readFile(transcript)
        #expect(written.contains(#""direction":"sent""#))
        #expect(!written.contains("hunter2"))
        for arguments in [
            ["hmp", qemu.monitorPath, "info status", "-v"],
            ["events", qemu.monitorPath, "--timeout", "0.2", "-v"],
            ["schema", qemu.monitorPath, "query-status", "-v"],
        ] {
            let result = try await ChildProcess.run([qmpsh] + arguments)
            #expect(result.standardError.contains(#"-> {"execute":"qmp_capabilities"}"#), "\(arguments): \(result)")
        }
        let shell = try await ChildProcess.run([qmpsh, "shell", qemu.monitorPath, "-v"], input: "query-name\n")
        #expect(shell.standardError.contains(#"-> {"execute":"query-name"}"#), "\(shell)")
        let script = directory.file("s.qmp")
        try ChildProcess.writeFile(script, "query-name\n")
        let run = try await ChildProcess.run([qmpsh, "run", script, "--monitor", qemu.monitorPath, "-v"])
        #expect(run.standardError.contains(#"-> {"execute":"query-name"}"#), "\(run)")
    }
}
