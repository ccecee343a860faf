#if canImport(Glibc)
import Glibc
#endif
import QMPTestSupport
import Testing

/// Session 6 (issue 14, item 10): `-v` wrote the wire on stderr from the connection's I/O thread with a blocking
/// `write`. With stderr a pipe nobody reads (`qmpsh ... -v 2>&1 | slow-reader`), the first reply longer than the
/// pipe's buffer (the schema, 200 KB) stopped the I/O thread: the call timed out, the error message blocked too,
/// and `qmpsh` hung. Now the wire goes through a writer thread of its own and the exit waits at most 2 s for it.
@Suite(.timeLimit(.minutes(1))) struct WireLogBlockingTests {
    @Test(arguments: ["exec", "run"])
    func verboseOutputNobodyReadsHoldsUpNothing(_ subcommand: String) async throws {
        let qemu = try QEMUProcess.launch()
        defer { qemu.kill() }
        let script = qemu.directory.file("schema.qmp")
        try ChildProcess.writeFile(script, "query-qmp-schema\n")
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let arguments = subcommand == "exec"
            ? ["exec", qemu.monitorPath, "query-qmp-schema"] : ["run", script, "--monitor", qemu.monitorPath, "--no-validate"]
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await ChildProcess.run(
            [ChildProcess.qmpsh] + arguments + ["-v", "--timeout", "5"], inheriting: [(ends[1], 2)], timeout: .seconds(30))
        close(ends[1])
        let took = clock.now - start
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains("meta-type"), "the schema reached stdout: \(result)")
        // The 5 s --timeout was not waited out: the reply came at once, then at most 2 s for stderr.
        #expect(took < .seconds(15), "took \(took)")
        // What stderr took begins with the wire.
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(ends[0], &buffer, buffer.count)
        let head = String(decoding: buffer[0..<max(count, 0)], as: UTF8.self)
        #expect(head.hasPrefix("<- {\"QMP\"") && head.contains("\n-> {\"execute\":\"qmp_capabilities\""), "\(head)")
    }
}
