#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import LineEditing
import MonitorShell
import QMP
import QMPTestSupport
import QMPWire
import Synchronization

/// The shell against what qmp-shell does (issue 19), on a real QEMU: transaction blocks, `cpu N`, HMP in HMP
/// mode, Python values, `quit`, `--check`, and a monitor without a schema.
@Suite(.timeLimit(.minutes(2))) struct ShellParityTests {
    /// Every request sent, as JSON.
    final class SentLog: Sendable {
        let requests = Mutex<[JSONObject]>([])
        /// The commands sent, without the schema query.
        var names: [String] {
            let ignored: Set = ["qmp_capabilities", "query-qmp-schema", "query-status", "query-version", "query-name"]
            return requests.withLock { $0.compactMap { $0["execute"]?.stringValue } }.filter { !ignored.contains($0) }
        }
    }

    func session(_ path: String, log: SentLog? = nil) async throws -> MonitorSession {
        var configuration = QMPClient.Configuration()
        if let log {
            configuration.messageObserver = { direction, message in
                guard direction == .sent, let object = message.objectValue else { return }
                log.requests.withLock { $0.append(object) }
            }
        }
        return try await MonitorConnector.standard.connect(path, configuration: configuration)
    }

    /// qmp-shell's transaction block is sent as one `transaction`: QEMU aborts it, so the bitmap is not created.
    @Test func aTransactionBlockIsSentAsOneTransaction() async throws {
        let qemu = try QEMUProcess.launch()
        let log = SentLog()
        let monitor = try await session(qemu.monitorPath, log: log)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qmpsh-tx-\(getpid()).qmp").path
        defer { unlink(file) }
        let editor = ScriptedLineEditor(lines: [
            ".record \(file)",
            "blockdev-add driver=null-co node-name=n0",
            "transaction(",
            "block-dirty-bitmap-add node=n0 name=b1",
            "abort",
            ")",
            "block-dirty-bitmap-remove node=n0 name=b1",
            "transaction( block-dirty-bitmap-add node=n0 name=b2; block-dirty-bitmap-add node=n0 name=b3 )",
            "block-dirty-bitmap-remove node=n0 name=b3",
            "transaction(",
            "block-dirty-bitmap-add node=n0 name=b4",
            ")",
            ".record off",
        ], endsAfterLines: true)
        #expect(await MonitorREPL(sessions: [monitor], editor: editor).run() == 0)
        #expect(editor.prompts.contains("TRANS> "))
        #expect(editor.errorOutput.contains("Transaction aborted using Abort action"))
        #expect(editor.errorOutput.contains("Dirty bitmap 'b1' not found"))
        #expect(!editor.errorOutput.contains("b3"))
        #expect(log.names == [
            "blockdev-add", "transaction", "block-dirty-bitmap-remove", "transaction", "block-dirty-bitmap-remove", "transaction",
        ])
        let first = try #require(log.requests.withLock { $0.first { $0["execute"] == "transaction" } })
        #expect(first["arguments"] == ["actions": [
            ["type": "block-dirty-bitmap-add", "data": ["node": "n0", "name": "b1"]], ["type": "abort", "data": [:]],
        ]])
        // The recording replays each block as one transaction.
        let recorded = try String(contentsOfFile: file, encoding: .utf8)
        #expect(recorded.contains(#"expect-error GenericError {"execute":"transaction","arguments":{"actions":["#))
        #expect(recorded.contains("transaction( block-dirty-bitmap-add node=n0 name=b2; block-dirty-bitmap-add node=n0 name=b3 )\n"))
        #expect(recorded.contains("transaction(\nblock-dirty-bitmap-add node=n0 name=b4\n)\n"))
        let script = try ScriptParser().parse(recorded, file: file)
        #expect(script.statements.count == 6)
        await monitor.close()

        // Replayed on a fresh QEMU, each block is again one transaction, and the run passes.
        let fresh = try QEMUProcess.launch()
        let replayLog = SentLog()
        let replay = try await session(fresh.monitorPath, log: replayLog)
        let summary = await ScriptRunner(script: script, session: replay).run()
        #expect(summary.stop == .completed && summary.failures.isEmpty, "\(summary.failures.map { "\($0.outcome)" })")
        #expect(replayLog.names == log.names)
        await replay.close()
    }

    /// A line the shell does not understand inside a block drops the whole block: nothing of it is sent, and the
    /// lines after the bad one (up to `)`) do not run on their own either. So does a mistake the schema finds.
    @Test func aBadLineInABlockSendsNothing() async throws {
        let qemu = try QEMUProcess.launch()
        let log = SentLog()
        let monitor = try await session(qemu.monitorPath, log: log)
        let editor = ScriptedLineEditor(lines: [
            "blockdev-add driver=null-co node-name=n0",
            "transaction(",
            "block-dirty-bitmap-add node=n0 name=b1",
            "!info status",
            "block-dirty-bitmap-add node=n0 name=b2",
            ")",
            "transaction(",
            "block-dirty-bitmap-add node=n0 name=b3",
            "block-dirty-bitmap-add node=n0 nmae=b4",
            ")",
            "transaction(",
            "abort",
        ], endsAfterLines: true)
        var options = MonitorREPL.Options()
        options.checksFailures = true
        #expect(await MonitorREPL(sessions: [monitor], editor: editor, options: options).run() == 2)
        #expect(log.names == ["blockdev-add"], "only the blockdev-add went out, and the schema query")
        #expect(editor.errorOutput.contains("(line 3 of the transaction, column 1); the transaction was dropped: nothing of it was sent"))
        #expect(editor.errorOutput.contains("# end of the dropped transaction block"))
        #expect(editor.errorOutput.contains(
            "unknown argument 'nmae' for transaction action 'block-dirty-bitmap-add' — did you mean 'name'? (line 3 of the transaction, column 32)"))
        #expect(editor.errorOutput.contains("unfinished transaction block (the input ended before its `)`); nothing of it was sent"))
        await monitor.close()
    }

    @Test func helpAndCompletionListTheTransactionActions() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu.monitorPath)
        let editor = ScriptedLineEditor()
        let repl = Task { await MonitorREPL(sessions: [monitor], editor: editor).run() }
        editor.type(".help transaction")
        #expect(await editor.waitForOutput(containing: "  block-dirty-bitmap-add node=… name=… [granularity=…]"))
        #expect(editor.output.contains("  abort\n"))
        editor.type("transaction(")
        // The shell has read the line once it asks for the next one with the block's prompt.
        let deadline = ContinuousClock.now + .seconds(10)
        while editor.prompts.last != "TRANS> ", ContinuousClock.now < deadline { await Task.yield() }
        #expect(editor.prompts.last == "TRANS> ")
        let names = try #require(await editor.complete("block-dirty-bitmap-a"))
        #expect(names.candidates == ["block-dirty-bitmap-add"])
        #expect(try #require(await editor.complete("abort; ab")).candidates == ["abort"])
        #expect(try #require(await editor.complete("")).candidates.contains(")"))
        #expect(try #require(await editor.complete("abort x")).candidates == [])
        editor.finish()
        _ = await repl.value
        await monitor.close()
    }

    /// `cpu 1` then `info registers` shows CPU#1 in HMP mode, and the prompt says so; `hmp LINE` works there too.
    @Test func cpuSelectsTheCPUForLaterHMPCommands() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "pc", "-smp", "2", "-S"])
        let monitor = try await session(qemu.monitorPath)
        let editor = ScriptedLineEditor(lines: [
            "info registers", "cpu 1", "info registers", "hmp info status", "!info status", "cpu 7",
        ], endsAfterLines: true)
        var options = MonitorREPL.Options()
        options.hmpMode = true
        #expect(await MonitorREPL(sessions: [monitor], editor: editor, options: options).run() == 0)
        let registers = editor.output.components(separatedBy: "EAX=")
        #expect(registers.count == 3)
        #expect(editor.output.contains("CPU#0") && editor.output.contains("CPU#1"))
        #expect(editor.output.range(of: "CPU#1")!.lowerBound > editor.output.range(of: "CPU#0")!.lowerBound)
        #expect(editor.output.components(separatedBy: "VM status: paused").count == 3)
        #expect(!editor.errorOutput.contains("unknown command: 'hmp'"))
        #expect(editor.prompts.first == "(hmp qmp.sock) ")
        #expect(editor.prompts.last == "(hmp qmp.sock cpu 1) ", "a CPU that does not exist is not selected")
        #expect(editor.errorOutput.contains("cpu-index"))
        await monitor.close()
    }

    /// A recorded `cpu N` replays the same way: scripts keep the CPU for later HMP commands too.
    @Test func scriptsKeepTheSelectedCPU() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "pc", "-smp", "2", "-S"])
        let monitor = try await session(qemu.monitorPath)
        let script = try ScriptParser().parse("""
            hmp info registers
            expect . contains "CPU#0"
            hmp cpu 1
            hmp info registers
            expect . contains "CPU#1"
            """, file: "cpu.qmp")
        let summary = await ScriptRunner(script: script, session: monitor).run()
        #expect(summary.stop == .completed && summary.failures.isEmpty, "\(summary.failures.map { "\($0.outcome)" })")
        await monitor.close()
    }

    /// A raw JSON transaction works as well as the block.
    @Test func rawJSONTransactions() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu.monitorPath)
        let editor = ScriptedLineEditor(lines: [
            "blockdev-add driver=null-co node-name=n0",
            #"{"execute": "transaction", "arguments": {"actions": [{"type": "block-dirty-bitmap-add", "data": {"node": "n0", "name": "b1"}}]}}"#,
            "block-dirty-bitmap-remove node=n0 name=b1",
        ], endsAfterLines: true)
        var options = MonitorREPL.Options()
        options.checksFailures = true
        #expect(await MonitorREPL(sessions: [monitor], editor: editor, options: options).run() == 0, "\(editor.errorOutput)")
        await monitor.close()
    }

    /// HMP completion: command names, `info` subcommands, and the names `change`, `eject`, `device_del`,
    /// `drive_del` and `netdev_del` take.
    @Test func hmpCompletionOffersLiveNames() async throws {
        let directory = try TemporaryDirectory()
        let hmpPath = directory.file("h.sock")
        let qemu = try QEMUProcess.launch(arguments: [
            "-machine", "pc", "-S", "-drive", "if=none,id=cd0,media=cdrom", "-device", "ide-cd,drive=cd0,bus=ide.1,id=cdrom0",
            "-netdev", "user,id=n1", "-device", "virtio-net-pci,netdev=n1,id=nic1",
            "-monitor", "unix:\(hmpPath),server=on,wait=off",
        ])
        let monitor = try await session(qemu.monitorPath)
        let editor = ScriptedLineEditor()
        var options = MonitorREPL.Options()
        options.hmpMode = true
        let repl = Task { await MonitorREPL(sessions: [monitor], editor: editor, options: options).run() }
        #expect(await editor.waitForOutput(containing: "VM prelaunch"))
        #expect(try #require(await editor.complete("netd")).candidates == ["netdev_add", "netdev_del"])
        #expect(try #require(await editor.complete("info blo")).candidates.contains("block"))
        #expect(try #require(await editor.complete("device_del ")).candidates == ["cdrom0", "nic1"])
        #expect(try #require(await editor.complete("drive_del ")).candidates == ["cd0"])
        #expect(try #require(await editor.complete("netdev_del ")).candidates == ["n1"])
        #expect(try #require(await editor.complete("eject -f c")).candidates == ["cd0", "cdrom0"])
        #expect(try #require(await editor.complete("change c")).candidates == ["cd0", "cdrom0"])
        #expect(try #require(await editor.complete("change cd0 ")).candidates == [])
        editor.type(".hmp off")
        #expect(try #require(await editor.complete("!netdev_del ")).candidates == ["n1"])
        editor.finish()
        _ = await repl.value

        // The same names on a direct human monitor, read from its own `info` output.
        let direct = try await MonitorConnector.standard.connect("hmp:" + hmpPath)
        let hmpEditor = ScriptedLineEditor()
        let hmpREPL = Task { await MonitorREPL(sessions: [direct], editor: hmpEditor).run() }
        #expect(await hmpEditor.waitForOutput(containing: "(HMP)"))
        #expect(try #require(await hmpEditor.complete("device_del ")).candidates == ["cdrom0", "nic1"])
        #expect(try #require(await hmpEditor.complete("drive_del ")).candidates == ["cd0"])
        #expect(try #require(await hmpEditor.complete("netdev_del ")).candidates == ["n1"])
        #expect(try #require(await hmpEditor.complete("eject -f c")).candidates == ["cd0", "cdrom0"])
        #expect(try #require(await hmpEditor.complete("netd")).candidates == ["netdev_add", "netdev_del"])
        hmpEditor.finish()
        _ = await hmpREPL.value
        await direct.close()
        await monitor.close()
    }

    /// `value=True` is a boolean (QEMU said "expected: boolean" when it was the string "True"); `yes/no/on/off`
    /// are booleans where the schema wants one; Python notation is JSON.
    @Test func pythonValuesAndBooleanWordsReachQEMUTyped() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "none", "-object", "memory-backend-ram,id=mem0,size=1M"])
        let log = SentLog()
        let monitor = try await session(qemu.monitorPath, log: log)
        let editor = ScriptedLineEditor(lines: [
            "qom-set path=/objects/mem0 property=prealloc value=False",
            "qom-get path=/objects/mem0 property=prealloc",
            "object-add qom-type=memory-backend-ram id=mem1 size=1048576 share=yes",
            "qom-get path=/objects/mem1 property=share",
            "object-add qom-type=memory-backend-ram id=mem2 size=1048576 share=off",
            "qom-get path=/objects/mem2 property=share",
            "object-add {'qom-type': 'memory-backend-ram', 'id': 'mem3', 'size': 1048576, 'share': True,}",
        ], endsAfterLines: true)
        // The last line is not key=value: it must fail as a syntax error, before anything is sent.
        #expect(await MonitorREPL(sessions: [monitor], editor: editor).run() == 0)
        #expect(!editor.errorOutput.contains("expected: boolean"))
        #expect(editor.output.contains("{}\nfalse\n{}\ntrue\n{}\nfalse\n"))
        let sent = log.requests.withLock { $0 }
        #expect(sent.contains { $0["arguments"]?["share"] == .bool(true) })
        #expect(sent.contains { $0["arguments"]?["value"] == .bool(false) })
        await monitor.close()
    }

    @Test func quitExitsZeroAndCheckReportsFailures() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await session(qemu.monitorPath)
        let editor = ScriptedLineEditor(lines: ["query-status", "quit", "query-status"], endsAfterLines: true)
        #expect(await MonitorREPL(sessions: [monitor], editor: editor).run() == 0)
        #expect(!editor.errorOutput.contains("went away"))
        await monitor.close()

        let second = try QEMUProcess.launch()
        for (lines, status) in [(["device_del id=nope", "query-status"], Int32(1)), (["query-stauts"], 2), (["query-name"], 0)] {
            let monitor = try await session(second.monitorPath)
            var options = MonitorREPL.Options()
            options.checksFailures = true
            let editor = ScriptedLineEditor(lines: lines, endsAfterLines: true)
            #expect(await MonitorREPL(sessions: [monitor], editor: editor, options: options).run() == status, "\(lines)")
            await monitor.close()
        }
        let monitor2 = try await session(second.monitorPath)
        let editor2 = ScriptedLineEditor(lines: ["device_del id=nope"], endsAfterLines: true)
        #expect(await MonitorREPL(sessions: [monitor2], editor: editor2).run() == 0, "without --check a failed line is not fatal")
        await monitor2.close()
    }

    /// `-N`: a peer that sends no greeting; the banner says so and asks it nothing.
    @Test func noGreetingPeer() async throws {
        let server = try FakeQMPServer { peer in
            while let request = try peer.receive() {
                guard request["execute"] == "guest-ping" else {
                    try peer.replyError(to: request, errorClass: "CommandNotFound", description: "not here")
                    continue
                }
                try peer.reply(to: request, ["pong": true])
            }
        }
        var configuration = QMPClient.Configuration()
        configuration.negotiates = false
        let monitor = try await MonitorConnector.standard.connect(server.path, configuration: configuration)
        let editor = ScriptedLineEditor(lines: ["guest-ping"], endsAfterLines: true)
        #expect(await MonitorREPL(sessions: [monitor], editor: editor).run() == 0)
        await monitor.close()
        #expect(await server.finished() == [])
        #expect(editor.output.hasPrefix("Connected to \(server.path) without a greeting\n"))
        #expect(editor.output.contains(#"{"pong":true}"#))
    }

    /// A monitor without `query-qmp-schema` is asked once; the shell says once that it validates nothing.
    @Test func aMonitorWithoutASchemaIsAskedOnce() async throws {
        let asked = Mutex(0)
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            while let request = try peer.receive() {
                switch request["execute"]?.stringValue {
                case "query-qmp-schema":
                    asked.withLock { $0 += 1 }
                    try peer.replyError(to: request, errorClass: "CommandNotFound", description: "The command query-qmp-schema has not been found")
                case "x.y":
                    try peer.reply(to: request, ["dotted": true])
                default:
                    try peer.reply(to: request)
                }
            }
        }
        let monitor = try await session(server.path)
        let editor = ScriptedLineEditor(lines: ["x.y a=1", "stop", "cont", "x.y"], endsAfterLines: true)
        #expect(await MonitorREPL(sessions: [monitor], editor: editor).run() == 0)
        await monitor.close()
        #expect(await server.finished() == [])
        #expect(asked.withLock { $0 } == 1)
        #expect(editor.errorOutput.components(separatedBy: "# not validating commands").count == 2)
        #expect(editor.output.contains(#"{"dotted":true}"#))
    }
}
