#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPTestSupport
import Synchronization
import Testing

/// `qmpsh run`'s schema fetch for validation is bounded by one `--timeout` in all (session 6): the fetch that
/// overlaps the script's parsing and validation's own request used to have a limit each, so a monitor that never
/// answers `query-qmp-schema` held a run for twice `--timeout` before the first command.
@Suite(.timeLimit(.minutes(1))) struct RunSchemaDeadlineTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    /// The commands the fake monitor received, in order.
    final class Received: Sendable {
        let names = Mutex<[String]>([])
    }

    /// A monitor that answers every command at once until `query-qmp-schema`, which it never answers; like a QEMU
    /// monitor it answers in order, so nothing after that is answered either. It records the commands it got.
    static func monitorWithoutSchema(_ received: Received) throws -> FakeQMPServer {
        try FakeQMPServer { peer in
            try peer.negotiate()
            var answering = true
            while let request = try peer.receive(timeout: .seconds(30)) {
                let name = request["execute"]?.stringValue ?? ""
                received.names.withLock { $0.append(name) }
                if name == "query-qmp-schema" { answering = false }
                if answering { try peer.reply(to: request, ["status": "running", "running": true, "singlestep": false]) }
            }
        }
    }

    @Test func aSchemaThatNeverComesCostsOneTimeoutNotTwo() async throws {
        let received = Received()
        let server = try Self.monitorWithoutSchema(received)
        let directory = try TemporaryDirectory(prefix: "qmpkit-noschema")
        let script = directory.file("s.qmp")
        try ChildProcess.writeFile(script, "query-status\nexpect .running == true\n")
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await ChildProcess.run(
            ["/usr/bin/env", "QMPKIT_SCHEMA_CACHE=off", qmpsh, "run", script, "--monitor", server.path, "--timeout", "1"],
            timeout: .seconds(30))
        let elapsed = clock.now - start
        // One second for the schema and the process's start-up; a limit for each request took over 2 s.
        #expect(elapsed < .milliseconds(1800), "qmpsh run took \(elapsed): \(result)")
        #expect(elapsed >= .seconds(1), "qmpsh run took \(elapsed): \(result)")
        // A monitor that does not answer is reported as such (exit 3), and none of the script is sent.
        #expect(result.status == 3, "\(result)")
        #expect(result.standardError.contains("Timeout: no answer to query-qmp-schema within 1s"), "\(result)")
        #expect(result.standardOutput.isEmpty, "\(result)")
        server.stop()
        _ = await server.finished()
        #expect(!received.names.withLock { $0 }.contains("query-status"), "\(received.names.withLock { $0 })")
    }
}
