#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MonitorShell
import QEMURunner
import QMP
import QMPTestSupport
import QMPWire

/// Console statements of scripts against a stand-in guest on the other end of a socket pair: a timeout shows the
/// console's last lines, a `console-expect` never matches the echo of the `console-send` before it, and an invalid
/// escape's caret points at the escape.
@Suite(.timeLimit(.minutes(1))) struct ScriptConsoleTests {
    /// A guest that echoes each line it receives (as a terminal does) and, when `answers`, then prints the output
    /// of `echo WORD` (WORD itself). Before that it prints `lines` lines of boot noise.
    static func guest(answers: Bool, noise lines: Int = 12) throws -> (SerialConsole, SocketConnection) {
        let (consoleEnd, guestEnd) = try SocketConnection.pair()
        let console = SerialConsole(connection: consoleEnd, logPath: "/dev/null")
        try guestEnd.send(Array((0..<lines).map { "boot line \($0 + 1)\r\n" }.joined().utf8) + Array("guest# ".utf8))
        // A thread of its own: a blocking read must not hold a thread of Swift's cooperative pool.
        startThread {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
            defer { buffer.deallocate() }
            var pending = ""
            while let count = try? guestEnd.receive(into: buffer), count > 0 {
                pending += String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                    try? guestEnd.send(Array("\(line)\r\n".utf8))
                    if answers, line.hasPrefix("echo ") { try? guestEnd.send(Array("\(line.dropFirst(5))\r\nguest# ".utf8)) }
                }
            }
        }
        return (console, guestEnd)
    }

    func run(_ text: String, console: SerialConsole) async throws -> [ScriptReport] {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            while try peer.receive() != nil {}
        }
        let session = try await MonitorConnector.standard.connect(server.path)
        let script = try ScriptParser().parse(text, file: "t.qmp")
        var reports: [ScriptReport] = []
        _ = await ScriptRunner(script: script, session: session, console: console).run { reports.append($0) }
        await session.close()
        return reports
    }

    static func failure(_ report: ScriptReport?) -> ScriptFailure? {
        guard case .statement(let result)? = report, case .failed(let failure) = result.outcome else { return nil }
        return failure
    }

    @Test func expectAfterSendDoesNotMatchTheEchoAndATimeoutShowsTheLastTenLines() async throws {
        let (console, guestEnd) = try Self.guest(answers: false)
        let reports = try await run("console-expect \"guest# \" timeout=5\nconsole-send \"echo typed-ok\\n\"\nconsole-expect \"typed-ok\" timeout=0.5\n", console: console)
        let failure = try #require(Self.failure(reports.last), "the echo 'echo typed-ok' must not satisfy the expect: \(reports)")
        #expect(failure.errorClass == "ConsoleError")
        let lines = failure.message.split(separator: "\n").dropFirst().map(String.init)
        #expect(lines.count == 10, "\(failure.message)")
        #expect(lines.first == "boot line 4", "\(failure.message)")
        #expect(lines.last == "guest# echo typed-ok", "\(failure.message)")
        guestEnd.shutdown()
    }

    @Test func expectAfterSendMatchesTheAnswerAfterTheEcho() async throws {
        let (console, guestEnd) = try Self.guest(answers: true)
        let reports = try await run("console-expect \"guest# \" timeout=5\nconsole-send \"echo typed-ok\\n\"\nconsole-expect \"typed-ok\" timeout=5\n", console: console)
        guard case .statement(let result)? = reports.last, case .passed(let value) = result.outcome else {
            Issue.record("the expect failed: \(reports)")
            return
        }
        #expect(value == .string("echo typed-ok\r\ntyped-ok"), "matched after the echo, not in it")
        guestEnd.shutdown()
    }

    @Test func aTimeoutOnASilentConsoleSaysSo() async throws {
        let (console, guestEnd) = try Self.guest(answers: false, noise: 0)
        _ = try await console.expect("guest# ", timeout: .seconds(5))
        let reports = try await run("console-expect \"never\" timeout=0.2\n", console: console)
        let failure = try #require(Self.failure(reports.last))
        #expect(failure.message.contains("its last lines:\nguest# "), "\(failure.message)")
        guestEnd.shutdown()
    }

    @Test func anInvalidEscapesCaretPointsAtTheEscape() throws {
        let text = #"console-send "ls \q /sys""#
        #expect {
            try ScriptParser().parse(text, file: "t.qmp")
        } throws: { error in
            guard let errors = error as? ScriptErrors, let first = errors.errors.first else { return false }
            // The backslash is the 18th character of the line.
            return first.column == 18 && first.message.contains("invalid escape")
        }
    }
}
