import Testing
@testable import MonitorShell
import QMP

@Suite struct ScriptParserTests {
    func parse(_ text: String, overrides: [String: String] = [:]) throws -> Script {
        try ScriptParser(overrides: overrides).parse(text, file: "t.qmp")
    }

    func errors(_ text: String, overrides: [String: String] = [:]) -> [ScriptError] {
        do {
            _ = try ScriptParser(overrides: overrides).parse(text, file: "t.qmp")
            return []
        } catch {
            return error.errors
        }
    }

    @Test func everyStatementKind() throws {
        let script = try parse("""
            # a comment

            query-status
            {"execute": "query-name"}
            hmp info status
            !info block
            expect .status == "running"
            expect-error DeviceNotFound device_del id=x
            wait DEVICE_DELETED device=vd1 timeout=2.5
            console-expect "vda" timeout=30
            console-expect 'v[a-z]+' regex=true
            console-send "ls /sys/block\\n"
            set disk=/tmp/d1.qcow2
            sleep 0.25
            """)
        #expect(script.statements.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
        let kinds = script.statements.map(\.kind)
        guard case .command(.command(name: "query-status", arguments: [:]), _) = kinds[0] else { Issue.record("\(kinds[0])"); return }
        guard case .command(.raw(let raw), _) = kinds[1] else { Issue.record("\(kinds[1])"); return }
        #expect(raw["execute"] == "query-name")
        guard case .command(.hmp("info status"), _) = kinds[2], case .command(.hmp("info block"), _) = kinds[3] else {
            Issue.record("hmp"); return
        }
        guard case .expect(let expectation) = kinds[4] else { Issue.record("\(kinds[4])"); return }
        #expect(expectation == ScriptExpectation(path: JSONPath([.key("status")]), op: .equal, value: "running"))
        guard case .expectError("DeviceNotFound", .command(name: "device_del", arguments: let args), let columns) = kinds[5] else {
            Issue.record("\(kinds[5])"); return
        }
        #expect(args == ["id": "x"])
        #expect(columns["id"] == 40)
        guard case .wait("DEVICE_DELETED", let matching, .milliseconds(2500)?) = kinds[6] else { Issue.record("\(kinds[6])"); return }
        #expect(matching.map(\.path) == ["device"] && matching.map(\.value) == ["vd1"])
        guard case .consoleExpect("vda", false, .seconds(30)?) = kinds[7] else { Issue.record("\(kinds[7])"); return }
        guard case .consoleExpect("v[a-z]+", true, nil) = kinds[8] else { Issue.record("\(kinds[8])"); return }
        guard case .consoleSend("ls /sys/block\n") = kinds[9] else { Issue.record("\(kinds[9])"); return }
        guard case .set("disk", "/tmp/d1.qcow2") = kinds[10] else { Issue.record("\(kinds[10])"); return }
        guard case .sleep(.milliseconds(250)) = kinds[11] else { Issue.record("\(kinds[11])"); return }
    }

    @Test func waitMatchesNestedKeysByDottedPath() throws {
        let script = try parse("wait ACPI_DEVICE_OST info.slot-type=CPU info.status=0 info.slot='1'")
        guard case .wait(_, let matching, nil) = script.statements[0].kind else { Issue.record("kind"); return }
        let paths = Dictionary(uniqueKeysWithValues: matching.map { ($0.path, $0.value) })
        #expect(paths == ["info.slot-type": "CPU", "info.status": 0, "info.slot": "1"])
    }

    @Test func variablesExpandWithOverridesWinning() throws {
        let script = try parse("""
            set disk=/tmp/a.qcow2
            set node=n1
            blockdev-add driver=qcow2 node-name=${node} file.driver=file file.filename=${disk}
            console-send "literal $${x}"
            """, overrides: ["disk": "/srv/b.qcow2"])
        guard case .command(.command(_, let arguments), _) = script.statements[2].kind else { Issue.record("kind"); return }
        #expect(arguments["node-name"] == "n1")
        #expect(arguments["file"]?["filename"] == "/srv/b.qcow2")
        guard case .consoleSend("literal ${x}") = script.statements[3].kind else { Issue.record("\(script.statements[3].kind)"); return }
        #expect(script.variables == ["disk": "/srv/b.qcow2", "node": "n1"])
    }

    @Test func environmentOverridesAreOnlyTheExplicitOnes() {
        let overrides = ScriptParser.environmentOverrides(["QMPSH_VAR_disk": "/d", "HOME": "/root", "QMPSH_VAR_": "x"])
        #expect(overrides == ["disk": "/d"])
        // ${HOME} is not taken from the environment: a path never changes with the caller's environment by accident.
        let problems = errors("blockdev-add driver=file node-name=f filename=${HOME}/x")
        #expect(problems.first?.message.hasPrefix("undefined variable 'HOME'") == true)
    }

    @Test func undefinedVariableSuggestsTheClosestName() {
        let problems = errors("set disk=/tmp/d\nquery-block x=${dsk}")
        #expect(problems.count == 1)
        #expect(problems[0].description == "t.qmp:2:15: undefined variable 'dsk': define it with `set dsk=...` above, or --var dsk=... (did you mean 'disk'?)")
    }

    @Test func aVariableIsUndefinedBeforeItsSet() {
        #expect(errors("device_del id=${x}\nset x=vd1").first?.line == 1)
    }

    @Test func errorColumnsPointIntoTheSourceLineAfterExpansion() {
        // The expanded value is longer than `${v}`: the error after it must still point at the source column.
        let problems = errors("set v=aaaaaaaaaaaa\nquery-status a=${v} b='unterminated")
        #expect(problems.count == 1)
        #expect(problems[0].line == 2 && problems[0].column == 23)
        #expect(problems[0].rendered == """
            t.qmp:2:23: unterminated single quote
                query-status a=${v} b='unterminated
                                      ^
            """)
    }

    @Test func everyErrorIsReportedWithFileLineAndColumn() {
        let text = """
            query-status
            expect
            expect status == 1
            expect .status ~= 1
            expect .status ==
            expect .n < "x"
            expect .s matches "("
            expect .a == 1 2
            expect-error
            expect-error Bad-Class cmd
            expect-error DeviceNotFound
            wait
            wait DEVICE_DELETED device
            wait X timeout=0
            wait X timeout=abc
            console-expect
            console-expect "x" other=1
            console-expect "(" regex=true
            console-expect "x" regex=maybe
            console-send "a" "b"
            console-send ""
            set
            set 1x=2
            set a
            sleep
            sleep -1
            {"execute": 1}
            {"execute": "x"
            device_del id='x
            cmd props={ x
            "quoted" x=1
            ${
            ${bad name}
            """
        let problems = errors(text)
        #expect(problems.map(\.line) == Array(2...33), "\(problems.map(\.description).joined(separator: "\n"))")
        let byLine = Dictionary(uniqueKeysWithValues: problems.map { ($0.line, $0) })
        #expect(byLine[2]?.message.hasPrefix("expected `expect PATH OP VALUE`") == true)
        #expect(byLine[3]?.message.hasPrefix("a path starts with '.'") == true)
        #expect(byLine[3]?.column == 8)
        #expect(byLine[4]?.message.hasPrefix("unknown operator '~='") == true)
        #expect(byLine[4]?.column == 16)
        #expect(byLine[5]?.message == "'==' needs a value after it")
        #expect(byLine[6]?.message.contains("compares numbers") == true)
        #expect(byLine[7]?.message.hasPrefix("invalid regular expression") == true)
        #expect(byLine[8]?.message.hasPrefix("unexpected '2' after the value") == true)
        #expect(byLine[9]?.message.hasPrefix("expected `expect-error CLASS COMMAND") == true)
        #expect(byLine[10]?.column == 14)
        #expect(byLine[11]?.message.hasPrefix("expect-error needs the command") == true)
        #expect(byLine[12]?.message.hasPrefix("expected `wait EVENT") == true)
        #expect(byLine[13]?.message.hasPrefix("expected key=value to match") == true)
        #expect(byLine[14]?.message == "timeout= takes a number of seconds above 0")
        #expect(byLine[14]?.column == 16)
        #expect(byLine[15]?.column == 16)
        #expect(byLine[16]?.message.hasPrefix("expected `console-expect \"TEXT\"`") == true)
        #expect(byLine[17]?.message.hasPrefix("unexpected 'other=1'") == true)
        #expect(byLine[18]?.message.hasPrefix("invalid regular expression") == true)
        #expect(byLine[19]?.message == "regex= takes true or false")
        #expect(byLine[20]?.message.hasPrefix("unexpected '\"b\"'") == true)
        #expect(byLine[21]?.message == "console-send needs some text")
        #expect(byLine[22]?.message.hasPrefix("expected `set NAME=VALUE`") == true)
        #expect(byLine[23]?.message.hasPrefix("'1x' is not a variable name") == true)
        #expect(byLine[24]?.message.hasPrefix("expected `set NAME=VALUE`") == true)
        #expect(byLine[25]?.message.hasPrefix("expected `sleep SECONDS`") == true)
        #expect(byLine[26]?.message.hasPrefix("expected `sleep SECONDS`") == true)
        #expect(byLine[27]?.message.hasPrefix("a raw request must be an object") == true)
        #expect(byLine[28]?.message.hasPrefix("invalid JSON") == true)
        #expect(byLine[29]?.message == "unterminated single quote")
        #expect(byLine[30]?.message == "expected key=value, found 'x'")
        #expect(byLine[30]?.column == 13)
        #expect(byLine[31]?.message == "expected a command name, found '\"quoted\"'")
        #expect(byLine[32]?.message == "'${' without a closing '}'")
        #expect(byLine[33]?.message.hasPrefix("'bad name' is not a variable name") == true)
    }

    @Test func crlfLineEndingsAndIndentation() throws {
        let script = try parse("  query-status\r\n\texpect .running == true\r\n")
        #expect(script.statements.count == 2)
        #expect(script.statements[0].text == "query-status")
        #expect(script.statements[1].source == "\texpect .running == true")
    }

    @Test func expectValuesAreJSONOrBareWords() throws {
        let script = try parse("""
            expect .a == running
            expect .a == "two words"
            expect .a == {"x": [1, 2]}
            expect .a != null
            expect .a >= 1.5
            expect .a contains vd
            expect .a !contains vd
            expect .a matches "^v[a-z]$"
            expect $_.a
            expect .
            """)
        let values = script.statements.compactMap { statement -> ScriptExpectation? in
            if case .expect(let e) = statement.kind { return e }
            return nil
        }
        #expect(values.map(\.value) == ["running", "two words", ["x": [1, 2]], .null, 1.5, "vd", "vd", "^v[a-z]$", .null, .null])
        #expect(values.map(\.op) == [.equal, .equal, .equal, .notEqual, .greaterOrEqual, .contains, .notContains, .matches, .truthy, .truthy])
        #expect(values[8].path == JSONPath([.key("a")]))
        #expect(values[9].path == JSONPath([]))
    }
}

@Suite struct JSONPathTests {
    @Test(arguments: [
        (".", [JSONPath.Component]()),
        (".status", [.key("status")]),
        (".a.b[0]", [.key("a"), .key("b"), .index(0)]),
        (".[2].tray-open", [.index(2), .key("tray-open")]),
        (".[\"odd key\"].x", [.key("odd key"), .key("x")]),
        ("$_.x[-1]", [.key("x"), .index(-1)]),
        ("$_", []),
    ])
    func parses(text: String, components: [JSONPath.Component]) throws {
        #expect(try JSONPath(parsing: text).components == components)
    }

    @Test(arguments: ["status", ".a.", ".a[", ".a[x]", ".a..b", ".a b", "$_x"])
    func rejects(text: String) {
        #expect(throws: MonitorSyntaxError.self) { try JSONPath(parsing: text) }
    }

    @Test func evaluates() throws {
        let value: JSON = ["a": ["b": [10, 20, 30]], "tray-open": true]
        #expect(try JSONPath(parsing: ".a.b[1]").evaluate(value) == 20)
        #expect(try JSONPath(parsing: ".a.b[-1]").evaluate(value) == 30)
        #expect(try JSONPath(parsing: ".tray-open").evaluate(value) == true)
        #expect(try JSONPath(parsing: ".").evaluate(value) == value)
        #expect(try JSONPath(parsing: ".a.b[3]").evaluate(value) == nil)
        #expect(try JSONPath(parsing: ".a.c").evaluate(value) == nil)
        #expect(try JSONPath(parsing: ".a[0]").evaluate(value) == nil)
        #expect(try JSONPath(parsing: ".[\"odd key\"]").description == ".[\"odd key\"]")
        #expect(try JSONPath(parsing: ".[0].a").description == ".[0].a")
    }

    @Test func containsFollowsJQ() {
        let blocks: JSON = [["qdev": "cdrom0", "tray_open": false, "inserted": ["file": "/b.iso", "ro": true]], ["device": "ide0"]]
        #expect(blocks.contains([["qdev": "cdrom0", "inserted": ["file": "/b.iso"]]]))
        #expect(!blocks.contains([["qdev": "cdrom0", "tray_open": true]]))
        #expect(blocks.contains(["device": "ide0"]))
        #expect(JSON.string("foobar").contains("oba"))
        #expect(JSON.object(["a": 1]).contains("a"))
        #expect(!JSON.object(["a": 1]).contains("b"))
        #expect(JSON.array([1, 2, 3]).contains([3, 1]))
    }

    @Test func looseEquality() {
        #expect(JSON.int(1).looselyEquals(.double(1.0)))
        #expect(JSON.string("1").looselyEquals(.int(1)))
        #expect(JSON.bool(true).looselyEquals(.string("true")))
        #expect(!JSON.string("01").looselyEquals(.int(1)))
        #expect(!JSON.null.looselyEquals(.string("null")))
    }
}
