import Testing
@testable import MonitorShell
import QMPWire
import Synchronization

/// `qmpsh run` formats and writes on a writer thread (issue 14, session 5): the text must come out complete and in
/// the order of the reports, standard output before a failure's standard error, and the summary last, once
/// `finish` returns.
@Suite struct ScriptReportWriterTests {
    @Test func everyReportIsWrittenInOrderAndTheSummaryLast() throws {
        let script = try ScriptParser().parse(
            String(repeating: "query-status\n", count: 150) + "device_del id=x\nquery-status\n", file: "s.qmp")
        let formatter = ScriptOutputFormatter(style: .human, monitor: "m.sock", showsMonitor: false)
        let written = Mutex<[(out: String?, err: String?)]>([])
        let writer = ScriptReportWriter(formatter: formatter, file: script.file) { out, err in
            written.withLock { $0.append((out, err)) }
        }
        var summary = ScriptSummary(monitor: "m.sock", file: script.file)
        for (index, statement) in script.statements.enumerated() {
            let outcome: StatementOutcome = statement.line == 151
                ? .failed(ScriptFailure(errorClass: "DeviceNotFound", message: "Device 'x' not found"))
                : .returned(.object(["status": .string("running"), "n": .int(Int64(index))]))
            let result = StatementResult(statement: statement, outcome: outcome, elapsed: .microseconds(250))
            summary.record(result)
            writer.report(.statement(result))
        }
        summary.stop = .completed
        writer.finish(summary)
        let chunks = written.withLock { $0 }
        let out = chunks.compactMap(\.out).joined()
        let lines = out.split(separator: "\n").map(String.init)
        try #require(lines.count == 153, "\(lines.count) lines")
        for index in 0..<150 {
            #expect(lines[index] == "s.qmp:\(index + 1)  query-status  → {\"status\":\"running\",\"n\":\(index)}  (0.25 ms)")
        }
        #expect(lines[150].hasPrefix("s.qmp:151  device_del id=x  ✗ DeviceNotFound"))
        #expect(lines[152].hasPrefix("# s.qmp on m.sock: 152 statements, 151 passed, 1 failed (line 151)"))
        // The failure's message comes after every line before it and before every line after it.
        let errorChunk = try #require(chunks.firstIndex { $0.err != nil })
        #expect(chunks[errorChunk].err?.hasPrefix("s.qmp:151:1: DeviceNotFound: Device 'x' not found") == true)
        let before = chunks[...errorChunk].compactMap(\.out).joined()
        #expect(before.split(separator: "\n").count == 151)
    }
}
