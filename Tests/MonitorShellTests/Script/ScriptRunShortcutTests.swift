import Testing
@testable import MonitorShell
import QMP
import QMPWire

/// `qmpsh run`'s per-line shortcuts (issue 14, session 6) give exactly what the long way gives: a command line
/// without arguments skips the tokenizer, and the writer formats a repeated statement and return once.
@Suite struct ScriptRunShortcutTests {
    /// Every line the shortcut takes parses as `MonitorInput.parse` parses it; every line it declines still parses
    /// (or fails) the long way.
    @Test func aBareCommandParsesAsTheTokenizerWouldHaveIt() throws {
        let taken = ["query-status", "  query-status", "query-status  \t", "x", "a.b_c-9", "QUERY", "cont", "9lives"]
        for line in taken {
            let utf8 = Array(line.utf8)
            let start = utf8.firstIndex { $0 != 32 && $0 != 9 } ?? utf8.count
            let end = utf8[start...].firstIndex { $0 == 32 || $0 == 9 } ?? utf8.count
            #expect(ScriptParser.isBareCommand(utf8, from: start, to: end), "\(line)")
            let kind = try ScriptParser.statement(line)
            guard case .command(let input, let columns) = kind else {
                Issue.record("\(line): \(kind)")
                continue
            }
            #expect(input == (try MonitorInput.parse(line)), "\(line)")
            #expect(columns.isEmpty)
        }
        let declined = ["hmp", "query-status x=1", "query-status x", "qüery", "{\"execute\":\"cont\"}", "!info", "a/b",
                        "query-status\u{A0}", "#c", "a=b", "'quoted'"]
        for line in declined {
            let utf8 = Array(line.utf8)
            let end = utf8.firstIndex { $0 == 32 || $0 == 9 } ?? utf8.count
            #expect(!ScriptParser.isBareCommand(utf8, from: 0, to: end), "\(line)")
        }
        // `hmp` alone is still the tokenizer's error, a keyword still a statement.
        #expect(throws: MonitorSyntaxError.self) { try ScriptParser.statement("hmp") }
        let script = try ScriptParser().parse("query-status\nhmp info status\nsleep 0\nquery-status   \n", file: "s.qmp")
        #expect(script.statements.count == 4)
        if case .command(.hmp("info status"), _) = script.statements[1].kind {} else { Issue.record("\(script.statements[1].kind)") }
        if case .sleep = script.statements[2].kind {} else { Issue.record("\(script.statements[2].kind)") }
        #expect(script.statements[3].text == "query-status")
    }

    /// Lines whose ends are printable ASCII skip the trimming and the transaction check; the others take them.
    @Test func linesWithAndWithoutWhiteSpaceAtTheirEndsParseAlike() throws {
        let text = "# c\n  # c\n\tquery-status\t\nquery-status \u{A0}\n\u{A0}query-status\ncont\n"
            + "  transaction(\n  blockdev-snapshot-sync node-name=a snapshot-file=/tmp/s format=qcow2\n)\n"
            + "transaction(\nblockdev-snapshot-sync node-name=b snapshot-file=/tmp/t format=qcow2\n)\n"
        let script = try ScriptParser().parse(text, file: "s.qmp")
        #expect(script.statements.map(\.text) == [
            "query-status", "query-status", "query-status", "cont", "transaction(", "transaction(",
        ].enumerated().map { index, text in
            index < 4 ? text : script.statements[index].text
        })
        #expect(script.statements.map(\.line) == [3, 4, 5, 6, 7, 10])
        for statement in script.statements.suffix(2) {
            guard case .command(.command(name: "transaction", _), _) = statement.kind else {
                Issue.record("\(statement.kind)")
                continue
            }
        }
        #expect(ScriptParser.hasPrintableASCIIEnds("a b") && !ScriptParser.hasPrintableASCIIEnds(" a")
            && !ScriptParser.hasPrintableASCIIEnds("a\t") && !ScriptParser.hasPrintableASCIIEnds("é") && !ScriptParser.hasPrintableASCIIEnds(""))
    }

    /// The memo's shortcut shows a value only when it is the same value written the same way: members in another
    /// order, or `1.0` for `1`, are formatted afresh (they serialize differently though `==` calls them equal).
    @Test func aRepeatedReturnIsShownAsFormattingItAfreshWould() throws {
        let script = try ScriptParser().parse("query-status\nquery-status\nobject-add qom-type=secret id=s data=x\n", file: "s.qmp")
        let formatter = ScriptOutputFormatter(style: .human, monitor: "m", showsMonitor: false)
        let values: [JSON] = [
            .object(JSONObject([("a", .int(1)), ("b", .string("x"))])),
            .object(JSONObject([("a", .int(1)), ("b", .string("x"))])),
            .object(JSONObject([("b", .string("x")), ("a", .int(1))])),
            .object(JSONObject([("b", .string("x")), ("a", .double(1))])),
            .object(JSONObject([("password", .string("p"))])),
            .array([.null, .bool(true), .uint(7)]),
            .array([.null, .bool(true), .uint(7)]),
        ]
        #expect(values[2] == values[1] && values[3] == values[2])  // why `==` cannot be the memo's test
        var memo = ScriptOutputFormatter.Memo()
        for (index, value) in values.enumerated() {
            for statement in script.statements {
                let report = ScriptReport.statement(StatementResult(statement: statement, outcome: .returned(value), elapsed: .zero))
                let memoized = formatter.format(report, file: "s.qmp", memo: &memo)
                let fresh = formatter.format(report, file: "s.qmp")
                #expect(memoized.out == fresh.out, "value \(index), line \(statement.line)")
                #expect(memoized.err == fresh.err)
            }
        }
        #expect(!(formatter.format(.statement(StatementResult(
            statement: script.statements[2], outcome: .returned(.string("x")), elapsed: .zero)), file: "s.qmp").out ?? "").contains("data=x"))
    }
}
