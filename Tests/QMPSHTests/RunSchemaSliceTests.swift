#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPSchema
import QMPTestSupport
import Testing

/// `qmpsh run` checks a script against the slice of the cached schema that its commands need (session 6): reading
/// the whole cached file cost a run's start-up ~33 million instructions to check one command.
@Suite(.timeLimit(.minutes(2))) struct RunSchemaSliceTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    func modified(_ path: String) -> timespec? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mtim : nil
    }

    @Test func aRunReadsTheSliceItsCommandsNeedAndTheSliceNeverInventsErrors() async throws {
        let qemu = try QEMUProcess.launch()
        let scratch = try TemporaryDirectory(prefix: "qmpkit-slice")
        let cache = scratch.file("cache")
        let script = scratch.file("s.qmp")
        // `flat=yes` needs the schema's boolean to become `true`: the slice must carry it to the runner.
        try ChildProcess.writeFile(script, "query-status\nquery-named-block-nodes flat=yes\nexpect . == []\n")
        let env = ["/usr/bin/env", "QMPKIT_SCHEMA_CACHE=" + cache]
        let first = try await ChildProcess.run(env + [qmpsh, "run", script, "--monitor", qemu.monitorPath])
        #expect(first.status == 0, "\(first)")
        // The first run fetched the live schema and kept it; the second reads the kept file and cuts the slice.
        let cut = try await ChildProcess.run(env + [qmpsh, "run", script, "--monitor", qemu.monitorPath])
        #expect(cut.status == 0, "\(cut)")
        let files = try await ChildProcess.run(["/bin/sh", "-c", "cd \"$0\" && ls qemu-*.json slices/*", cache])
        let names = files.standardOutput.split(separator: "\n").map(String.init)
        try #require(names.count == 2, "\(files)")
        let full = cache + "/" + names[0], slice = cache + "/" + names[1]
        let sliceText = try ChildProcess.readFile(slice)
        #expect(sliceText.contains("\"query-status\"") && sliceText.contains("\"query-named-block-nodes\""))
        #expect(!sliceText.contains("\"device_add\""))
        #expect(sliceText.utf8.count * 20 < (try ChildProcess.readFile(full)).utf8.count, "\(sliceText.utf8.count) bytes")
        // The third run reads the slice (the booleans still work) and leaves the whole file alone.
        let before = modified(full)
        let second = try await ChildProcess.run(env + [qmpsh, "run", script, "--monitor", qemu.monitorPath])
        #expect(second.status == 0, "\(second)")
        let after = modified(full)
        #expect(before?.tv_sec == after?.tv_sec && before?.tv_nsec == after?.tv_nsec)
        // A slice that lacks a command the script uses is only a fast path: the mistake is confirmed against QEMU
        // (which refreshes the whole file), and the run goes on.
        try ChildProcess.writeFile(slice, #"[{"name": "quit", "meta-type": "command", "arg-type": "0", "ret-type": "0"}, {"name": "0", "meta-type": "object", "members": []}]"#)
        let stale = try await ChildProcess.run(env + [qmpsh, "run", script, "--monitor", qemu.monitorPath])
        #expect(stale.status == 0, "\(stale)")
        let refreshed = modified(full)
        #expect(refreshed?.tv_sec != after?.tv_sec || refreshed?.tv_nsec != after?.tv_nsec, "the slice was not read")
        // A script that looks nothing up in the schema (HMP only) reads and writes nothing more.
        let hmp = scratch.file("hmp.qmp")
        try ChildProcess.writeFile(hmp, "hmp info status\nexpect . contains \"running\"\n")
        let slicesBefore = try await ChildProcess.run(["/bin/ls", cache + "/slices"])
        let hmpRun = try await ChildProcess.run(env + [qmpsh, "run", hmp, "--monitor", qemu.monitorPath])
        #expect(hmpRun.status == 0 && hmpRun.standardError.isEmpty, "\(hmpRun)")
        #expect(try await ChildProcess.run(["/bin/ls", cache + "/slices"]).standardOutput == slicesBefore.standardOutput)
        // A real mistake is still one, reported from the live schema with its suggestion.
        let bad = scratch.file("bad.qmp")
        try ChildProcess.writeFile(bad, "query-stauts\n")
        let mistake = try await ChildProcess.run(env + [qmpsh, "run", bad, "--monitor", qemu.monitorPath])
        #expect(mistake.status == 2 && mistake.standardError.contains("did you mean 'query-status'?"), "\(mistake)")
    }

    /// The slice holds each needed command with every type it reaches, and a schema built from it checks those
    /// commands as the whole schema does.
    @Test func aSliceChecksItsCommandsAsTheWholeSchemaDoes() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        defer { Task { await client.close() } }
        let (whole, entities) = try await QAPISchema.fetchEntities(from: client)
        let needs = SchemaNeeds(commands: ["blockdev-add", "query-status", "nosuch"], events: ["STOP"])
        let sliced = QAPISchema.entities(entities, reaching: needs)
        #expect(sliced.count < entities.count / 2 && sliced.count > 20, "\(sliced.count) of \(entities.count)")
        let slice = QAPISchema(entities: sliced)
        #expect(slice.command(named: "query-status") != nil && slice.command(named: "device_add") == nil)
        #expect(slice.eventNames.contains("STOP"))
        let cases: [JSONObject] = [
            ["driver": "qcow2", "node-name": "d", "file": ["driver": "file", "filename": "/tmp/x"]],
            ["driver": "qcow2", "node-name": "d", "file": ["driver": "file", "filenam": "/tmp/x"]],
            ["driver": "nosuch", "node-name": "d"],
            ["driver": "raw", "node-name": "d", "file": "f", "read-only": "yes"],
        ]
        for arguments in cases {
            let a = whole.validate(command: "blockdev-add", arguments: whole.coercingBooleans(command: "blockdev-add", arguments: arguments))
            let b = slice.validate(command: "blockdev-add", arguments: slice.coercingBooleans(command: "blockdev-add", arguments: arguments))
            #expect("\(a.errors)" == "\(b.errors)" && "\(a.warnings)" == "\(b.warnings)", "\(arguments)")
        }
    }
}
