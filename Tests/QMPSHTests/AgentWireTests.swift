#if canImport(Glibc)
import Glibc
#endif
import QMPTestSupport
import QMPWire
import Synchronization
import Testing

/// Issue 14 item 10, for the guest agent: `-v` and `--transcript` showed monitor traffic only; what `qmpsh exec
/// qga:...` and `qmpsh guest ...` sent to and received from an agent went nowhere. Now it is on stderr and in the
/// transcript like monitor traffic, marked as the agent's (`qga` on stderr, the agent's address as the transcript's
/// `monitor`), with the secrets of `guest-set-user-password` and the file contents of `guest-file-write` redacted.
@Suite(.timeLimit(.minutes(1)), .serialized) struct AgentWireTests {
    let qmpsh = ChildProcess.qmpsh

    @Test func agentTrafficIsOnStderrAndInTheTranscriptWithSecretsRedacted() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-agent-wire")
        let agent = try FakeAgent(path: directory.file("qga.sock"))
        let transcript = directory.file("wire.jsonl")
        let password = "c2VjcmV0LXBhc3N3b3Jk"  // base64 of a password, as guest-set-user-password takes it
        let result = try await ChildProcess.run(
            [qmpsh, "exec", "qga:" + agent.path, "guest-set-user-password", "username=root", "password=" + password,
             "crypted=false", "-v", "--transcript", transcript, "--timeout", "10"],
            timeout: .seconds(30))
        #expect(result.status == 0, "\(result)")
        let wire = result.standardError.split(separator: "\n").filter { $0.hasPrefix("qga ") }
        #expect(wire.contains { $0.hasPrefix("qga -> ") && $0.contains("guest-sync-delimited") }, "\(result)")
        #expect(wire.contains { $0.hasPrefix("qga <- ") }, "\(result)")
        #expect(wire.contains { $0.contains("guest-set-user-password") && $0.contains("<redacted>") }, "\(result)")
        #expect(!result.standardError.contains(password), "\(result)")
        let lines = try ChildProcess.readFile(transcript).split(separator: "\n")
        #expect(lines.count >= 4, "\(lines)")  // the synchronisation and the command, each way
        #expect(lines.allSatisfy { $0.contains("\"monitor\":\"qga:\(agent.path)\"") }, "\(lines)")
        #expect(lines.contains { $0.contains("guest-set-user-password") }, "\(lines)")
        #expect(!lines.contains { $0.contains(password) }, "\(lines)")

        // A file written into the guest: its contents are not shown.
        let source = directory.file("notes.txt")
        let contents = "not for the log"
        try ChildProcess.writeFile(source, contents)
        let base64 = "bm90IGZvciB0aGUgbG9n"
        let copy = try await ChildProcess.run(
            [qmpsh, "guest", "qga:" + agent.path, "cp", source, ":/tmp/notes.txt", "-v", "--transcript", transcript,
             "--timeout", "10"],
            timeout: .seconds(30))
        #expect(copy.status == 0, "\(copy)")
        #expect(copy.standardError.contains("qga -> ") && copy.standardError.contains("guest-file-write"), "\(copy)")
        #expect(!copy.standardError.contains(base64), "\(copy)")
        let written = try ChildProcess.readFile(transcript)
        #expect(written.contains("guest-file-write") && !written.contains(base64), "\(written)")
        #expect(agent.received.contains { $0.contains(base64) }, "the agent got the file: \(agent.received)")
    }

    /// Script statements (`qmpsh run --agent`) and the shell on an agent write the agent's traffic too.
    @Test func scriptStatementsAndTheShellShowTheAgentsTraffic() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-agent-wire")
        let agent = try FakeAgent(path: directory.file("qga.sock"))
        let qemu = try QEMUProcess.launch()
        defer { qemu.kill() }
        let script = directory.file("check.qmp")
        try ChildProcess.writeFile(script, "query-status\nguest-exec \"true\"\n")
        let transcript = directory.file("run.jsonl")
        let run = try await ChildProcess.run(
            [qmpsh, "run", script, "--monitor", qemu.monitorPath, "--agent", "qga:" + agent.path, "-v",
             "--transcript", transcript, "--timeout", "10"],
            timeout: .seconds(30))
        #expect(run.status == 0, "\(run)")
        #expect(run.standardError.contains("qga -> {\"execute\":\"guest-exec\""), "\(run)")
        #expect(run.standardError.contains("-> {\"execute\":\"query-status\""), "\(run)")
        let lines = try ChildProcess.readFile(transcript)
        #expect(lines.contains("\"monitor\":\"qga:\(agent.path)\"") && lines.contains("guest-exec-status"), "\(lines)")
        #expect(lines.contains("\"monitor\":\"\(qemu.monitorPath)\""), "\(lines)")

        let shell = try await ChildProcess.run(
            [qmpsh, "shell", "qga:" + agent.path, "-v", "--timeout", "10"], input: "guest-ping\n", timeout: .seconds(30))
        #expect(shell.status == 0, "\(shell)")
        #expect(shell.standardError.contains("qga -> {\"execute\":\"guest-ping\""), "\(shell)")
        #expect(shell.standardError.contains("qga <- {\"return\":{}"), "\(shell)")
    }
}

/// A stand-in for qemu-ga on a Unix socket, for the protocol only: it answers `guest-sync-delimited` with `0xFF`
/// and the id, and every other command with a plausible `return` and the command's id. It serves connections one
/// after another on a thread of its own until released.
final class FakeAgent: Sendable {
    let listener: ListeningSocket
    var path: String { listener.path }
    private final class Log: Sendable {
        let lines = Mutex<[String]>([])
    }
    private let log = Log()
    /// Every request line received, in order.
    var received: [String] { log.lines.withLock { $0 } }

    init(path: String) throws {
        listener = try ListeningSocket(path: path)
        startDetachedThread { [listener, log] in
            while let connection = listener.accept() {
                Self.serve(connection) { line in log.lines.withLock { $0.append(line) } }
            }
        }
    }

    deinit { listener.shutdown() }

    private static func serve(_ connection: SocketConnection, record: (String) -> Void) {
        var pending: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        while connection.waitReadable(milliseconds: 20_000), let count = try? connection.receive(into: buffer), count > 0 {
            pending += buffer[0..<count].filter { $0 != 0xFF }
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                record(String(decoding: line, as: UTF8.self))
                guard let request = try? JSON(parsing: line), let name = request["execute"]?.stringValue else { continue }
                var reply: [UInt8] = []
                if name == "guest-sync-delimited" {
                    reply.append(0xFF)
                    JSON.object(["return": request["arguments"]?["id"] ?? .null]).write(into: &reply)
                } else {
                    let value: JSON = switch name {
                    case "guest-file-open": 1000
                    case "guest-exec": ["pid": 42]
                    case "guest-exec-status": ["exited": true, "exitcode": 0]
                    case "guest-file-write": ["count": request["arguments"]?["buf-b64"]?.stringValue.map { .int(Int64($0.count / 4 * 3)) } ?? 0, "eof": false]
                    default: [:]
                    }
                    JSON.object(["return": value, "id": request["id"] ?? .null]).write(into: &reply)
                }
                reply.append(UInt8(ascii: "\n"))
                guard (try? connection.send(reply)) != nil else { return }
            }
        }
    }
}
