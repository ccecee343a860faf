import Testing
import QMP
import QMPTestSupport
import QMPWire

/// `qmpsh shell` and `qmpsh exec` as qmp-shell users meet them (issue 19): exit statuses of piped sessions,
/// QMP_SOCKET and HOST:PORT, -v, -N, `x.y` names, and a 50 000-level dotted key.
@Suite(.timeLimit(.minutes(2))) struct ShellCLITests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    /// `printf 'quit\n' | qmpsh shell SOCK` exited 3 ("QEMU went away") after the quit the user asked for.
    @Test func quitInAPipedSessionExitsZero() async throws {
        let qemu = try QEMUProcess.launch()
        let result = try await ChildProcess.run([qmpsh, "shell", qemu.monitorPath], input: "query-name\nquit\n")
        #expect(result.status == 0, "\(result)")
        #expect(!result.standardError.contains("went away"))
        _ = try await qemu.waitForExit(timeout: .seconds(20))
    }

    @Test func checkMakesAFailedLineTheExitStatus() async throws {
        let qemu = try QEMUProcess.launch()
        let failed = try await ChildProcess.run([qmpsh, "shell", "--check", qemu.monitorPath], input: "device_del id=nope\nquery-name\n")
        #expect(failed.status == 1, "\(failed)")
        let strict = try await ChildProcess.run([qmpsh, "shell", "--strict", qemu.monitorPath], input: "query-stauts\n")
        #expect(strict.status == 2, "\(strict)")
        let plain = try await ChildProcess.run([qmpsh, "shell", qemu.monitorPath], input: "device_del id=nope\n")
        #expect(plain.status == 0, "\(plain)")
    }

    @Test func qmpSocketVerboseAndHostPort() async throws {
        let qemu = try QEMUProcess.launch()
        let result = try await ChildProcess.run(
            ["/usr/bin/env", "QMP_SOCKET=" + qemu.monitorPath, qmpsh, "shell", "-v"], input: "query-name\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains("{}\n"))
        #expect(result.standardError.contains(#"-> {"execute":"query-name"}"#))
        #expect(result.standardError.contains(#"<- {"return":{}}"#))

        #expect(try MonitorAddress(parsing: "localhost:4444") == .tcp(host: "localhost", port: 4444))
        #expect(try MonitorAddress(parsing: "[::1]:4444") == .tcp(host: "::1", port: 4444))
        #expect(try MonitorAddress(parsing: "./a:b") == .unix(path: "./a:b"))
        let listener = try ListeningSocket.tcpLoopback()
        let port = listener.port
        let server = try FakeQMPServer(listener: listener) { peer in
            try peer.negotiate()
            try peer.serveStandard()
        }
        let tcp = try await ChildProcess.run([qmpsh, "exec", "127.0.0.1:\(port)", "query-status", "--no-validate"])
        #expect(tcp.status == 0, "\(tcp)")
        #expect(tcp.standardOutput.contains(#""running":true"#))
        _ = await server.finished()
    }

    /// A peer that sends no greeting (qmp-shell -N): reported as busy without -N, served with it.
    @Test func noNegotiateTalksToAPeerWithoutAGreeting() async throws {
        let server = try FakeQMPServer(connections: 2) { peer in
            while let request = try peer.receive(timeout: .seconds(30)) {
                if request["execute"] == "qmp_capabilities" { throw FakeError.negotiated }
                try peer.reply(to: request, ["answered": .string(request["execute"]?.stringValue ?? "")])
            }
        }
        let busy = try await ChildProcess.run([qmpsh, "shell", "--timeout", "0.5", server.path], input: "query-name\n")
        #expect(busy.status == 3 && busy.standardError.contains("busy"), "\(busy)")
        let served = try await ChildProcess.run([qmpsh, "shell", "-N", server.path], input: "guest-ping\n")
        #expect(served.status == 0, "\(served)")
        #expect(served.standardOutput.contains(#"{"answered":"guest-ping"}"#))
        #expect(await server.finished() == [])
    }

    enum FakeError: Error { case negotiated }

    /// `yes/no/on/off` where the schema wants a boolean, in exec too.
    @Test func execTakesBooleanWords() async throws {
        let qemu = try QEMUProcess.launch()
        let add = try await ChildProcess.run([
            qmpsh, "exec", qemu.monitorPath, "object-add", "qom-type=memory-backend-ram", "id=m1", "size=1048576", "share=on",
        ])
        #expect(add.status == 0, "\(add)")
        let share = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "qom-get", "path=/objects/m1", "property=share"])
        #expect(share.standardOutput == "true\n")
    }

    @Test func dottedCommandNamesAndDeepKeysInExec() async throws {
        let qemu = try QEMUProcess.launch()
        let dotted = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "x.y", "--no-validate"])
        #expect(dotted.status == 1, "\(dotted)")
        #expect(dotted.standardError.contains("CommandNotFound: The command x.y has not been found"))
        // Crashed with SIGSEGV in the dotted-key insert, even with --no-validate.
        let key = Array(repeating: "a", count: 50_000).joined(separator: ".")
        for extra in [[], ["--no-validate"]] {
            let deep = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "qom-get", key + "=1"] + extra)
            #expect(deep.status == 2, "\(deep.status)")
            #expect(deep.standardError.contains("nests 50000 levels deep (at most 64)"))
        }
    }
}
