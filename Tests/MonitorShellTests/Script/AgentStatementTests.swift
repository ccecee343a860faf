import GuestAgent
import QMP
import Testing
@testable import MonitorShell

/// The guest agent statements of the script language: `guest-exec` and `guest-wait-device`.
@Suite struct AgentStatementTests {
    func parse(_ text: String) throws -> Script {
        try ScriptParser(overrides: ["disk_name": "vdb"]).parse(text, file: "t.qmp")
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try ScriptParser().parse(text, file: "t.qmp")
            return []
        } catch {
            return error.errors.map { "\($0.line):\($0.column): \($0.message)" }
        }
    }

    @Test func parsesBothStatements() throws {
        let script = try parse("""
            guest-exec "cat /sys/block/${disk_name}/size" expect-stdout=131072
            guest-exec "exit 3" expect-exit=3 timeout=5
            guest-wait-device disk ${disk_name} timeout=60
            guest-wait-device nic 52:54:00:12:34:56
            """)
        let kinds = script.statements.map(\.kind)
        guard case .guestExec("cat /sys/block/vdb/size", 0, "131072"?, nil) = kinds[0] else { Issue.record("\(kinds[0])"); return }
        guard case .guestExec("exit 3", 3, nil, .seconds(5)?) = kinds[1] else { Issue.record("\(kinds[1])"); return }
        guard case .guestWaitDevice(.disk, "vdb", .seconds(60)?) = kinds[2] else { Issue.record("\(kinds[2])"); return }
        guard case .guestWaitDevice(.nic, "52:54:00:12:34:56", nil) = kinds[3] else { Issue.record("\(kinds[3])"); return }
        #expect(script.usesAgent && !script.usesConsole)
    }

    @Test func mistakesPointAtTheirColumn() {
        #expect(errors("guest-exec") == [
            "1:11: expected `guest-exec \"COMMAND\" [expect-exit=N] [expect-stdout=TEXT] [timeout=SECONDS]`",
        ])
        #expect(errors(#"guest-exec "true" expect-exit=zero"#)
            == ["1:31: expect-exit= takes an exit status (a whole number)"])
        #expect(errors(#"guest-exec "true" frob=1"#).first?.contains("unexpected 'frob=1'") == true)
        #expect(errors("guest-wait-device cdrom x").first?.contains("guest-wait-device disk|nic ID") == true)
        #expect(errors("guest-wait-device disk vdb timeout=0") == ["1:36: timeout= takes a number of seconds above 0"])
    }
}
