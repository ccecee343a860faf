#if canImport(Glibc)
import Glibc
#endif
import Testing
import LineEditing
import MonitorShell
import QMP
import QMPTestSupport
import Synchronization

/// The REPL core driven by a scripted line editor against a real QEMU (`-machine none`).
@Suite(.timeLimit(.minutes(2))) struct REPLTests {
    /// Commands sent to the monitor, recorded by the client's message observer.
    final class SentLog: Sendable {
        let names = Mutex<[String]>([])
    }

    func session(_ qemu: QEMUProcess, log: SentLog? = nil) async throws -> MonitorSession {
        var configuration = QMPClient.Configuration()
        if let log {
            configuration.messageObserver = { direction, message in
                guard direction == .sent, let name = message["execute"]?.stringValue else { return }
                log.names.withLock { $0.append(name) }
            }
        }
        return try await MonitorConnector.standard.connect(qemu.monitorPath, configuration: configuration)
    }

    @Test func runsCommandsAndPrintsRepliesErrorsAndHMPText() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu)
        let editor = ScriptedLineEditor(lines: [
            "query-status", "device_del id=nope", ".pretty on", "query-status", "!info status", "hmp info status",
            "{\"execute\": \"query-name\"}", "   ", "# a comment",
        ], endsAfterLines: true)
        let status = await MonitorREPL(sessions: [monitor], editor: editor).run()
        #expect(status == 0)
        #expect(editor.output.contains("QEMU 7.") && editor.output.contains("VM running"))
        #expect(editor.output.contains(#"{"status":"running","singlestep":false,"running":true}"# + "\n"))
        #expect(editor.output.contains("{\n  \"status\": \"running\",\n"))
        #expect(editor.output.ranges(of: "VM status: running\n").count == 2)
        #expect(editor.output.hasSuffix("{}\n"))
        #expect(editor.errorOutput == "DeviceNotFound: Device 'nope' not found\n")
        #expect(editor.prompts.allSatisfy { $0 == "(qmp qmp.sock) " })
        #expect(editor.history.count == 8)
        await monitor.close()
    }

    @Test func badArgumentsAreRefusedBeforeSendingWithASuggestion() async throws {
        let qemu = try QEMUProcess.launch()
        let log = SentLog()
        let monitor = try await session(qemu, log: log)
        let editor = ScriptedLineEditor(lines: [
            "blockdev-change-medium id=cd0 filname=/tmp/x.iso", "query-stauts", "device_del id=\"unclosed",
        ], endsAfterLines: true)
        _ = await MonitorREPL(sessions: [monitor], editor: editor).run()
        #expect(editor.errorOutput.contains(
            "ValidationError: unknown argument 'filname' for blockdev-change-medium — did you mean 'filename'?"))
        #expect(editor.errorOutput.contains("did you mean 'query-status'?"))
        #expect(editor.errorOutput.contains("SyntaxError:"))
        let sent = log.names.withLock { $0 }
        #expect(!sent.contains("blockdev-change-medium") && !sent.contains("query-stauts") && !sent.contains("device_del"))
        await monitor.close()
    }

    @Test func completesFromTheLiveSchema() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "none", "-object", "memory-backend-ram,id=mem0,size=1M"])
        let monitor = try await session(qemu)
        let editor = ScriptedLineEditor()
        let repl = Task { await MonitorREPL(sessions: [monitor], editor: editor).run() }
        #expect(await editor.waitForOutput(containing: "VM running"))
        let commands = try #require(await editor.complete("que"))
        #expect(commands.word == "que" && commands.candidates.contains("query-status"))
        #expect(commands.candidates.allSatisfy { $0.hasPrefix("query-") })
        let arguments = try #require(await editor.complete("blockdev-change-medium "))
        #expect(["filename=", "force=", "format=", "id=", "read-only-mode="].allSatisfy(arguments.candidates.contains))
        let values = try #require(await editor.complete("blockdev-change-medium read-only-mode=re"))
        #expect(values.candidates == ["read-only-mode=read-only", "read-only-mode=read-write", "read-only-mode=retain"])
        let live = try #require(await editor.complete("object-del id="))
        #expect(live.candidates == ["id=mem0"])
        let hmp = try #require(await editor.complete("!info sta"))
        #expect(hmp.candidates == ["stats", "status"])
        #expect(try #require(await editor.complete(".ev")).candidates == [".events"])
        #expect(try #require(await editor.complete(".events ")).candidates == ["filter", "off", "on"])
        #expect(try #require(await editor.complete(".events filter DEVICE_DEL")).candidates == ["DEVICE_DELETED"])
        editor.type(".hmp on")
        #expect(await editor.waitForOutput(containing: "# hmp on"))
        #expect(try #require(await editor.complete("info statu")).candidates == ["status"])
        editor.finish()
        #expect(await repl.value == 0)
        await monitor.close()
    }

    @Test func showsEventsWithTheirTimeAndFilters() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu)
        let editor = ScriptedLineEditor()
        let repl = Task { await MonitorREPL(sessions: [monitor], editor: editor).run() }
        editor.type("stop")
        #expect(await editor.waitForOutput(containing: "] STOP"))
        let line = try #require(editor.output.split(separator: "\n").first { $0.hasSuffix("] STOP") })
        // [HH:MM:SS.mmm] STOP
        #expect(line.count == "[00:00:00.000] STOP".count && line.first == "[" && line.dropFirst(3).first == ":")
        editor.type(".events filter STOP")
        editor.type("cont")
        editor.type("stop")
        #expect(await editor.waitForOutput { $0.ranges(of: "] STOP").count == 2 })
        #expect(!editor.output.contains("RESUME"))
        editor.finish()
        #expect(await repl.value == 0)
        await monitor.close()
    }

    @Test func switchesBetweenMonitors() async throws {
        let first = try QEMUProcess.launch(arguments: ["-machine", "none", "-name", "first"])
        let second = try QEMUProcess.launch(arguments: ["-machine", "none", "-name", "second"])
        let sessions = [try await session(first), try await session(second)]
        let editor = ScriptedLineEditor(lines: ["query-name", ".use 2", "query-name", ".use", ".use 3"], endsAfterLines: true)
        _ = await MonitorREPL(sessions: sessions, editor: editor).run()
        #expect(editor.output.contains("{\"name\":\"first\"}\n# now on 2: \(second.monitorPath)\n{\"name\":\"second\"}\n"))
        #expect(editor.output.contains("  1 \(first.monitorPath)\n* 2 \(second.monitorPath)\n"))
        #expect(editor.errorOutput.contains("UsageError: .use N, with N from 1 to 2"))
        #expect(editor.prompts.first == "(qmp 1:qmp.sock) " && editor.prompts.last == "(qmp 2:qmp.sock) ")
        for session in sessions { await session.close() }
    }

    @Test func recordsARunnableScript() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu)
        let directory = try TemporaryDirectory()
        let path = directory.file("session.qmp")
        let editor = ScriptedLineEditor(lines: [
            "query-status", ".record \(path)", "query-name", "device_del id=x", "!info status",
            "blockdev-change-medium filname=x", ".record off", "query-kvm",
        ], endsAfterLines: true)
        _ = await MonitorREPL(sessions: [monitor], editor: editor).run()
        let script = try ChildProcess.readFile(path)
        #expect(script == """
            # Recorded with qmpsh shell on \(qemu.monitorPath).
            # Replay: qmpsh run \(path) --monitor MONITOR
            query-name
            # {}
            expect-error DeviceNotFound device_del id=x
            # DeviceNotFound: Device 'x' not found
            hmp info status
            # VM status: running

            """)
        await monitor.close()
    }

    @Test func helpAndShellCommandErrors() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu)
        let editor = ScriptedLineEditor(lines: [
            ".help", ".help blockdev-change-medium", ".help query-stauts", ".evnts", ".pretty maybe", ".time on", "query-name",
        ], endsAfterLines: true)
        _ = await MonitorREPL(sessions: [monitor], editor: editor).run()
        #expect(editor.output.contains("Shell commands:\n  .help [COMMAND]"))
        #expect(editor.output.contains(".record FILE|off"))
        #expect(editor.output.contains("blockdev-change-medium id:str? filename:str format:str? force:bool?"))
        #expect(editor.errorOutput.contains("UsageError: no command 'query-stauts' — did you mean 'query-status'?"))
        #expect(editor.errorOutput.contains("UsageError: unknown shell command '.evnts' — did you mean '.events'?"))
        #expect(editor.errorOutput.contains("UsageError: .pretty on|off"))
        #expect(editor.output.contains("{}\n# ") && editor.output.hasSuffix(" ms\n"))
        await monitor.close()
    }

    @Test func interruptKeepsTheShellAndQuitEnds() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu)
        let editor = ScriptedLineEditor()
        editor.interrupt()
        editor.type("query-name")
        editor.type(".quit")
        editor.type("query-status")
        #expect(await MonitorREPL(sessions: [monitor], editor: editor).run() == 0)
        #expect(editor.output.hasSuffix("{}\n"))
        #expect(!editor.output.contains("running\":true"))
        await monitor.close()
    }

    @Test func monitorGoingAwayWhileAtThePromptEndsWithThree() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu)
        let editor = ScriptedLineEditor()
        let repl = Task { await MonitorREPL(sessions: [monitor], editor: editor).run() }
        #expect(await editor.waitForOutput(containing: "VM running"))
        qemu.kill()
        #expect(await repl.value == 3)
        #expect(editor.errorOutput.contains("QEMU went away (\(qemu.monitorPath): "))
        #expect(editor.errorOutput.hasSuffix("leaving the shell.\n"))
        await monitor.close()
    }
}

/// A direct human monitor (`hmp:` socket) in the shell: every line is HMP.
@Suite(.timeLimit(.minutes(1))) struct REPLDirectHMPTests {
    @Test func linesGoToTheHumanMonitorAndCompleteFromItsHelp() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("h.sock")
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "none", "-monitor", "unix:\(path),server=on,wait=off"])
        // The HMP socket is set up before QEMU answers on QMP.
        let client = try await qemu.connect()
        _ = try await client.execute("query-status")
        let session = try await MonitorConnector.standard.connect("hmp:" + path)
        let editor = ScriptedLineEditor(lines: ["info status", "!info version", "nonsense-command"])
        let repl = Task { await MonitorREPL(sessions: [session], editor: editor).run() }
        #expect(await editor.waitForOutput(containing: "unknown command"))
        #expect(editor.output.contains("(HMP), VM running"))
        #expect(editor.output.contains("VM status: running\n7."))
        #expect(editor.errorOutput.contains("HMPError: unknown command: 'nonsense-command'"))
        #expect(editor.prompts.first == "(hmp h.sock) ")
        #expect(try #require(await editor.complete("info statu")).candidates == ["status"])
        #expect(try #require(await editor.complete("qui")).candidates == ["quit"])
        editor.finish()
        #expect(await repl.value == 0)
        await session.close()
        await client.close()
    }
}

/// Ctrl-C while a command waits for its reply.
@Suite(.timeLimit(.minutes(1))) struct REPLInterruptTests {
    @Test func ctrlCStopsWaitingForAReplyAndTheShellGoesOn() async throws {
        let qemu = try QEMUProcess.launch()
        let sent = AsyncStream<Void>.makeStream()
        var configuration = QMPClient.Configuration()
        configuration.messageObserver = { direction, message in
            if direction == .sent, message["execute"]?.stringValue == "query-kvm" { sent.continuation.yield() }
        }
        let session = try await MonitorConnector.standard.connect(qemu.monitorPath, configuration: configuration)
        let editor = ScriptedLineEditor()
        let repl = Task { await MonitorREPL(sessions: [session], editor: editor).run() }
        #expect(await editor.waitForOutput(containing: "VM running"))
        // The schema is at hand (completion waited for it), so the command is validated and sent at once.
        #expect(await editor.complete("query-kv")?.candidates == ["query-kvm"])
        // A stopped QEMU answers nothing: the command waits until Ctrl-C.
        qemu.kill(SIGSTOP)
        editor.type("query-kvm")
        for await _ in sent.stream { break }
        editor.interruptCommand()
        #expect(await editor.waitForOutput(containing: "Interrupted: no longer waiting for the reply"))
        qemu.kill(SIGCONT)
        // The late reply to query-kvm is dropped; the next command gets its own.
        editor.type("query-name")
        #expect(await editor.waitForOutput(containing: "{}\n"))
        #expect(!editor.output.contains("\"present\""))
        editor.finish()
        #expect(await repl.value == 0)
        await session.close()
    }
}
