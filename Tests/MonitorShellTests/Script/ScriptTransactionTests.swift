import Testing
@testable import MonitorShell
import QMP
import QMPTestSupport
import QMPWire

/// `transaction( ... )` blocks in scripts (issue 19): one statement, one QMP `transaction`, errors at the action's
/// own `FILE:LINE:COL`, nothing sent when the block is not right.
@Suite(.timeLimit(.minutes(2))) struct ScriptTransactionTests {
    @Test func aBlockIsOneTransactionStatement() throws {
        let script = try ScriptParser().parse("""
            set node=n0
            blockdev-add driver=null-co node-name=${node}
            transaction(
              block-dirty-bitmap-add node=${node} name=b1
              # a comment inside
              block-dirty-bitmap-add node=${node} name=b2; abort
            )
            transaction( abort )
            query-status
            """, file: "t.qmp")
        #expect(script.statements.count == 5)
        let block = script.statements[2]
        #expect(block.line == 3)
        guard case .command(let input, _) = block.kind else { Issue.record("not a command"); return }
        #expect(input == .command(name: "transaction", arguments: ["actions": [
            ["type": "block-dirty-bitmap-add", "data": ["node": "n0", "name": "b1"]],
            ["type": "block-dirty-bitmap-add", "data": ["node": "n0", "name": "b2"]],
            ["type": "abort", "data": [:]],
        ]]))
        #expect(block.transaction?.lines.map(\.number) == [3, 4, 6, 7])
        #expect(script.statements[3].transaction?.block.actions.count == 1)
    }

    @Test func mistakesInABlockAreReportedAtTheirLine() {
        #expect {
            try ScriptParser().parse("""
                transaction(
                block-dirty-bitmap-add node=n0 name=b1
                hmp info status
                abort
                )
                query-status x=[
                transaction(
                abort
                """, file: "t.qmp")
        } throws: { error in
            let errors = (error as? ScriptErrors)?.errors ?? []
            return errors.map { "\($0.line):\($0.column)" } == ["3:1", "7:1"]
                && errors[1].message.contains("unfinished transaction block")
        }
    }

    /// On real QEMU: an action's validation error points at its line and column, and the script does not run;
    /// a block with `abort` runs as one transaction, so its bitmap is not created.
    @Test func runsAsOneTransactionOnQEMU() async throws {
        let qemu = try QEMUProcess.launch()
        let session = try await MonitorConnector.standard.connect(qemu.monitorPath)
        let bad = try ScriptParser().parse("""
            blockdev-add driver=null-co node-name=n0
            transaction(
            block-dirty-bitmap-add node=n0 name=b1
            block-dirty-bitmap-add node=n0 nmae=b2
            )
            """, file: "bad.qmp")
        let problems = try await ScriptValidator(script: bad, hasConsole: false).validate(on: session)
        #expect(problems.errors.map { "\($0.line):\($0.column)" } == ["4:32", "4:1"])
        #expect(problems.errors.first?.message
            == "ValidationError: unknown argument 'nmae' for transaction action 'block-dirty-bitmap-add' — did you mean 'name'?")
        #expect(problems.errors.last?.message.contains("missing required argument 'name'") == true)

        let script = try ScriptParser().parse("""
            blockdev-add driver=null-co node-name=n0
            transaction(
            block-dirty-bitmap-add node=n0 name=b1
            abort
            )
            """, file: "abort.qmp")
        #expect(try await ScriptValidator(script: script, hasConsole: false).validate(on: session).errors.isEmpty)
        let summary = await ScriptRunner(script: script, session: session).run()
        #expect(summary.stop == .failed && summary.executed == 2)
        #expect(summary.failures.map(\.statement.line) == [2])
        #expect("\(summary.failures.first.map { "\($0.outcome)" } ?? "")".contains("Transaction aborted"))
        let check = try ScriptParser().parse("expect-error GenericError block-dirty-bitmap-remove node=n0 name=b1\n", file: "c.qmp")
        #expect(await ScriptRunner(script: check, session: session).run().stop == .completed)
        await session.close()
    }
}
