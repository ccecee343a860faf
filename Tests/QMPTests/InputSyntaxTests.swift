import Testing
import QMP
import QMPWire

/// The value rules measured against qmp-shell (issue 19): Python notation, brackets in plain values, booleans,
/// command names, dotted keys, and the transaction block.
@Suite struct InputSyntaxTests {
    @Test func pythonNotationBecomesJSON() throws {
        let input = try MonitorInput.parse(#"cmd v={'a':1} w={"a":True} x={"a":1,} y=[None, False, 'x y', 1.5] z={'k': {'n': [1,]}}"#)
        #expect(input == .command(name: "cmd", arguments: [
            "v": ["a": 1], "w": ["a": true], "x": ["a": 1], "y": [nil, false, "x y", 1.5], "z": ["k": ["n": [1]]],
        ]))
    }

    @Test func trueAndFalseInAnyCaseAreBooleans() throws {
        let input = try MonitorInput.parse("qom-set path=/machine property=x value=True other=FALSE s='True' n=None")
        #expect(input == .command(name: "qom-set", arguments: [
            "path": "/machine", "property": "x", "value": true, "other": false, "s": "True", "n": "None",
        ]))
    }

    @Test func bracketsInPlainValuesAreCharacters() throws {
        #expect(try MonitorInput.parse("blockdev-add filename=/tmp/a[1.img pattern=a{2, v=[draft] w=x]")
            == .command(name: "blockdev-add", arguments: [
                "filename": "/tmp/a[1.img", "pattern": "a{2,", "v": "[draft]", "w": "x]",
            ]))
        // The bracket does not swallow the words after it: `x=1` stays an argument, and `]` alone is no key=value.
        #expect {
            try MonitorInput.parse("cmd comment=note[ x=1 ] y=2")
        } throws: { error in
            (error as? MonitorSyntaxError)?.message == "expected key=value, found ']'"
        }
        #expect(try MonitorInput.parse("cmd comment=note[ x=1 y=2") == .command(name: "cmd", arguments: [
            "comment": "note[", "x": 1, "y": 2,
        ]))
        // A whole JSON value still holds spaces.
        #expect(try MonitorInput.parse(#"cmd props={"a": [1, "x y"]} n=2"#) == .command(name: "cmd", arguments: [
            "props": ["a": [1, "x y"]], "n": 2,
        ]))
        #expect(try MonitorInput.parse("cmd props={a:1}") == .command(name: "cmd", arguments: ["props": "{a:1}"]))
    }

    @Test func dottedCommandNamesAreNames() throws {
        #expect(try MonitorInput.parse("x.y a=1") == .command(name: "x.y", arguments: ["a": 1]))
        #expect(MonitorInput.isCommandName("x.y") && MonitorInput.isCommandName("query-status"))
        #expect(!MonitorInput.isCommandName("transaction(") && !MonitorInput.isCommandName(""))
    }

    /// `qmpsh exec S qom-get "a.a.a…(50000)=1"` crashed with a stack overflow in the dotted-key insert.
    @Test func aVeryDeepDottedKeyIsAnErrorNotACrash() throws {
        let key = Array(repeating: "a", count: 50_000).joined(separator: ".")
        #expect {
            try KeyValueArguments.parse([key + "=1"])
        } throws: { error in
            (error as? MonitorSyntaxError)?.message.contains("nests 50000 levels deep (at most 64)") == true
        }
        #expect(throws: MonitorSyntaxError.self) { try MonitorInput.parse("cmd " + key + "=1") }
        let deepest = Array(repeating: "a", count: 64).joined(separator: ".")
        #expect((try? KeyValueArguments.parse([deepest + "=1"])) != nil)
    }

    @Test func aTransactionBlockIsOneCommand() throws {
        var block = try TransactionBlock(firstLine: "transaction(")
        #expect(try block.add("block-dirty-bitmap-add node=n0 name=b1") == false)
        #expect(try block.add("  abort") == false)
        #expect(try block.add(")") == true)
        #expect(block.input == .command(name: "transaction", arguments: ["actions": [
            ["type": "block-dirty-bitmap-add", "data": ["node": "n0", "name": "b1"]],
            ["type": "abort", "data": [:]],
        ]]))
        #expect(block.actions[1].lineIndex == 2 && block.actions[1].column == 3)
        #expect(block.action(at: "actions[0].data.name")?.dataPath == "name")
    }

    @Test func oneLineAndSemicolonSeparatedTransactions() throws {
        let one = try TransactionBlock(firstLine: "transaction( abort; block-dirty-bitmap-clear node=n0 name='a;b' )")
        #expect(one.isClosed)
        #expect(one.input == .command(name: "transaction", arguments: ["actions": [
            ["type": "abort", "data": [:]],
            ["type": "block-dirty-bitmap-clear", "data": ["node": "n0", "name": "a;b"]],
        ]]))
        var split = try TransactionBlock(firstLine: "transaction( abort")
        #expect(try split.add("abort )"))
        #expect(split.actions.count == 2)
    }

    @Test func badLinesInATransactionAreErrors() throws {
        var block = try TransactionBlock(firstLine: "transaction(")
        #expect(throws: MonitorSyntaxError.self) { try block.add("!info status") }
        #expect(throws: MonitorSyntaxError.self) { try block.add(#"{"execute": "abort"}"#) }
        #expect(throws: MonitorSyntaxError.self) { try block.add("abort x=\"unclosed") }
        #expect(throws: MonitorSyntaxError.self) { try TransactionBlock(firstLine: "transaction( )") }
        #expect(throws: MonitorSyntaxError.self) { try TransactionBlock(firstLine: "transaction( abort ) abort") }
        #expect(TransactionBlock.opens("  transaction(") && TransactionBlock.opens("transaction( abort )"))
        #expect(!TransactionBlock.opens("transaction actions=[]") && !TransactionBlock.opens("transaction(x"))
    }
}
