import Testing
import QMP

@Suite struct MonitorInputTests {
    @Test func plainCommand() throws {
        #expect(try MonitorInput.parse("query-status") == .command(name: "query-status", arguments: [:]))
        #expect(try MonitorInput.parse("   query-status   ") == .command(name: "query-status", arguments: [:]))
    }

    @Test func valuesThatParseAsJSONAreJSON() throws {
        let input = try MonitorInput.parse(#"cmd size=1024 force=true ratio=0.5 nothing=null props={"a": 1} list=[1, "x y"] name=vd1 path=/tmp/d.qcow2"#)
        #expect(input == .command(name: "cmd", arguments: [
            "size": 1024, "force": true, "ratio": 0.5, "nothing": nil, "props": ["a": 1], "list": [1, "x y"],
            "name": "vd1", "path": "/tmp/d.qcow2",
        ]))
    }

    /// `n=1e400` was sent as `null` and `18446744073709551616` rounded to a double (issue 14): a number JSON cannot
    /// hold exactly is refused with the column where it starts; quoted, it is a string.
    @Test func numbersOutOfRangeAreRefusedWithTheirColumn() throws {
        for (line, column) in [("cmd n=1e400", 7), ("cmd a=1 big=18446744073709551616", 13), ("cmd x={\"k\": -1e999}", 13)] {
            do {
                let input = try MonitorInput.parse(line)
                Issue.record("\(line) was accepted as \(input)")
            } catch {
                #expect(error.column == column, "\(line): \(error)")
            }
        }
        #expect(try MonitorInput.parse("cmd n='1e400'") == .command(name: "cmd", arguments: ["n": "1e400"]))
        #expect(try MonitorInput.parse("cmd n=18446744073709551615") == .command(name: "cmd", arguments: ["n": .uint(.max)]))
    }

    @Test func quotingMakesStrings() throws {
        let input = try MonitorInput.parse(#"human-monitor-command command-line="info block" id='123' n="42" esc="a\"b\n" mixed=a'b c'd"#)
        #expect(input == .command(name: "human-monitor-command", arguments: [
            "command-line": "info block", "id": "123", "n": "42", "esc": "a\"b\n", "mixed": "ab cd",
        ]))
    }

    @Test func dottedKeysNest() throws {
        let input = try MonitorInput.parse("blockdev-add driver=qcow2 node-name=d1 file.driver=file file.filename=/tmp/d1.qcow2 file.aio.x=1")
        #expect(input == .command(name: "blockdev-add", arguments: [
            "driver": "qcow2", "node-name": "d1",
            "file": ["driver": "file", "filename": "/tmp/d1.qcow2", "aio": ["x": 1]],
        ]))
    }

    @Test func rawJSONRequest() throws {
        let input = try MonitorInput.parse(#"  {"execute": "query-status", "id": 5}"#)
        #expect(input == .raw(["execute": "query-status", "id": 5]))
    }

    @Test func hmpForms() throws {
        #expect(try MonitorInput.parse("hmp info block") == .hmp("info block"))
        #expect(try MonitorInput.parse("!info  status ") == .hmp("info  status"))
        #expect(try MonitorInput.parse(#"hmp change ide1-cd0 "/tmp/b.iso""#) == .hmp(#"change ide1-cd0 "/tmp/b.iso""#))
    }

    @Test func blankAndComments() throws {
        #expect(try MonitorInput.parse("") == .empty)
        #expect(try MonitorInput.parse("   # a comment") == .empty)
    }

    @Test(arguments: [
        ("cmd a=\"unterminated", 7, "unterminated double quote"),
        ("cmd a='x", 7, "unterminated single quote"),
        ("cmd props={\"a\": 1", 17, "expected key=value, found '1'"),
        ("cmd novalue", 5, "expected key=value, found 'novalue'"),
        ("cmd a=1 a=2", 9, "argument 'a' is given twice"),
        ("cmd a=1 a.b=2", 9, "'a.b' nests under 'a', which already has a value that is not an object"),
        ("cmd a..b=1", 5, "invalid argument name 'a..b'"),
        ("{\"execute\": ", 13, "invalid JSON"),
        ("{\"a\": 1}", 1, "a raw request must be an object"),
        ("hmp", 1, "'hmp' needs a human-monitor command"),
        ("'quoted' x=1", 1, "expected a command name"),
    ])
    func errorsNameTheColumn(line: String, column: Int, message: String) {
        #expect {
            try MonitorInput.parse(line)
        } throws: { error in
            guard let error = error as? MonitorSyntaxError else { return false }
            return error.column == column && error.message.contains(message)
        }
    }

    @Test func shellSplitWords() throws {
        let arguments = try KeyValueArguments.parse(["command-line=info block", "size=10", #"props={"x": [1]}"#, "a.b=c", "s=\"7\""])
        #expect(arguments == ["command-line": "info block", "size": 10, "props": ["x": [1]], "a": ["b": "c"], "s": "7"])
        #expect(throws: MonitorSyntaxError.self) { try KeyValueArguments.parse(["noequals"]) }
    }
}
