#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPTestSupport
import Testing

/// Secrets on disk and on screen, files opened unsafely, the poisoned schema cache and terminal injection (issue
/// 20), end to end through `qmpsh` against a real QEMU.
@Suite(.timeLimit(.minutes(3))) struct SecretAndFileTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "qmpkit-secrets")
    }

    /// A secret no other test uses, so a leak can be searched for anywhere.
    static func canary(_ label: String) -> String {
        var random = SystemRandomNumberGenerator()
        return "qmpkitCanary\(label)x\(String(random.next() & 0xffff_ffff, radix: 16))"
    }

    /// Every file under `directory` (recursively) that contains `needle`.
    static func files(under directory: String, containing needles: [String]) -> [String] {
        var found: [String] = []
        guard let handle = opendir(directory) else { return found }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                found += files(under: path, containing: needles)
            } else if info.st_mode & S_IFMT == S_IFREG, let bytes = Probe.readBytes(path) {
                let text = String(decoding: bytes, as: UTF8.self)
                if needles.contains(where: { text.contains($0) }) { found.append(path) }
            }
        }
        return found
    }

    /// The three transcript leaks (the return of `qom-get` of a secret's `data`, the JSON form of `hmp object_add`,
    /// `set_password` typed with tabs), the echo of statements by `qmpsh run` and its `--json` output: none holds
    /// a secret. The transcript is 0600.
    @Test(arguments: [false, true])
    func scriptRunsLeakNoSecret(json: Bool) async throws {
        let qemu = try QEMUProcess.launch()
        let secrets = (1...6).map { Self.canary("Run\($0)") }
        let path = scratch.file("secrets-\(json).qmp")
        try ChildProcess.writeFile(path, """
            object-add qom-type=secret id=s0 data=\(secrets[0])
            qom-get path=/objects/s0 property=data
            hmp object_add {"qom-type": "secret", "id": "s1", "data": "\(secrets[1])"}
            hmp set_password\tvnc\t\(secrets[2])
            human-monitor-command command-line="change vnc password \(secrets[3])"
            {"execute": "object-add", "arguments": {"qom-type": "secret", "id": "s2", "data": "\(secrets[4])"}}
            set_password protocol=vnc password=\(secrets[5])
            query-status

            """)
        let transcript = scratch.file("t-\(json).jsonl")
        let result = try await ChildProcess.run(
            [qmpsh, "run", path, "--monitor", qemu.monitorPath, "--keep-going", "--transcript", transcript] + (json ? ["--json"] : []))
        // set_password / change vnc fail without a VNC display: the run goes on and exits 1.
        #expect(result.status == 1, "\(result)")
        #expect(result.standardOutput.contains("query-status"), "\(result)")
        let written = try ChildProcess.readFile(transcript)
        #expect(written.contains("qom-get") && written.contains("object_add"), "\(written)")
        for secret in secrets {
            #expect(!result.standardOutput.contains(secret), "stdout shows \(secret): \(result.standardOutput)")
            #expect(!result.standardError.contains(secret), "stderr shows \(secret): \(result.standardError)")
            #expect(!written.contains(secret), "transcript holds \(secret)")
        }
        #expect(Probe.mode(transcript) == 0o600)
    }

    /// The canary check: qmpsh runs with its home, state, cache and temporary folders inside one scratch folder,
    /// a canary secret goes through a script run (transcript, `--json`), the shell on a terminal (history file) and
    /// a piped shell with `.record`; then every file under the folder is searched for the canary.
    @Test func noFileQmpshWroteHoldsTheCanary() async throws {
        let qemu = try QEMUProcess.launch()
        let home = scratch.file("home")
        #expect(mkdir(home, 0o700) == 0)
        let canary = Self.canary("Files")
        let env = ["/usr/bin/env", "HOME=" + home, "XDG_STATE_HOME=" + home + "/state", "XDG_CACHE_HOME=" + home + "/cache",
                   "XDG_RUNTIME_DIR=" + home, "TMPDIR=" + home, "TERM=dumb"]
        let lines = [
            "object-add qom-type=secret id=s0 data=\(canary)", "qom-get path=/objects/s0 property=data",
            "hmp set_password vnc \(canary)", "object-del id=s0",
        ]
        let script = home + "/canary.qmp"
        try ChildProcess.writeFile(script, lines.joined(separator: "\n") + "\n")
        let run = try await ChildProcess.run(env + [
            qmpsh, "run", script, "--monitor", qemu.monitorPath, "--keep-going", "--json", "--transcript", home + "/t.jsonl",
        ])
        #expect(run.status == 1, "\(run)")
        let piped = try await ChildProcess.run(
            env + [qmpsh, "shell", qemu.monitorPath], input: ([".record \(home)/session.qmp"] + lines).joined(separator: "\n") + "\n")
        #expect(piped.status == 0, "\(piped)")
        // On a terminal (script(1) gives the shell a pty): libedit and its history file.
        let shell = "\(qmpsh) shell \(qemu.monitorPath)"
        let onTerminal = try await ChildProcess.run(env + ["/usr/bin/script", "-qec", shell, "/dev/null"], input: (lines + [".quit"]).joined(separator: "\n") + "\n")
        let history = home + "/state/qmpsh/history"
        #expect(Probe.exists(history), "\(onTerminal)")
        #expect(Probe.mode(history) == 0o600)
        for output in [run.standardOutput, run.standardError, piped.standardError] {
            #expect(!output.contains(canary), "\(output)")
        }
        let written = ["t.jsonl", "session.qmp", "state/qmpsh/history"].map { home + "/" + $0 }
        for file in written { #expect(Probe.exists(file), "\(file) was not written") }
        let leaks = Self.files(under: home, containing: [canary]).filter { $0 != script }
        #expect(leaks.isEmpty, "files holding the canary: \(leaks)")
        report("canary check: \(written.count) files qmpsh wrote searched, \(leaks.count) hold the canary")
    }

    /// A transcript path that is a symbolic link another user planted: root used to overwrite the link's target.
    /// A 0666 file of another user used to receive the transcript and stay 0666. Both are refused now; a 0666
    /// file of the user's own is narrowed to 0600.
    @Test func transcriptsAreOpenedSafely() async throws {
        let qemu = try QEMUProcess.launch()
        let script = scratch.file("s.qmp")
        try ChildProcess.writeFile(script, "query-status\n")
        let target = scratch.file("precious")
        try ChildProcess.writeFile(target, "keep me\n")
        let link = scratch.file("link.jsonl")
        #expect(symlink(target, link) == 0)
        let viaLink = try await ChildProcess.run([qmpsh, "run", script, "--monitor", qemu.monitorPath, "--transcript", link])
        #expect(viaLink.status == 2, "\(viaLink)")
        #expect(viaLink.standardError.contains("symbolic link"), "\(viaLink)")
        #expect(try ChildProcess.readFile(target) == "keep me\n")

        let foreign = scratch.file("foreign.jsonl")
        try ChildProcess.writeFile(foreign, "")
        #expect(chmod(foreign, 0o666) == 0 && chown(foreign, 65534, 65534) == 0)
        let intoForeign = try await ChildProcess.run([qmpsh, "run", script, "--monitor", qemu.monitorPath, "--transcript", foreign])
        #expect(intoForeign.status == 2, "\(intoForeign)")
        #expect(intoForeign.standardError.contains("belongs to another user"), "\(intoForeign)")
        #expect(try ChildProcess.readFile(foreign).isEmpty)

        let own = scratch.file("own.jsonl")
        try ChildProcess.writeFile(own, "old\n")
        #expect(chmod(own, 0o666) == 0)
        let intoOwn = try await ChildProcess.run([qmpsh, "run", script, "--monitor", qemu.monitorPath, "--transcript", own])
        #expect(intoOwn.status == 0, "\(intoOwn)")
        #expect(Probe.mode(own) == 0o600)
        #expect(try !ChildProcess.readFile(own).hasPrefix("old"))
    }

    /// `--serial-log` through a planted symbolic link is refused before QEMU starts.
    @Test func serialLogsAreOpenedSafely() async throws {
        let target = scratch.file("precious-log")
        try ChildProcess.writeFile(target, "keep me\n")
        let link = scratch.file("serial.log")
        #expect(symlink(target, link) == 0)
        let result = try await ChildProcess.run(
            [qmpsh, "boot", "--serial-log", link, "--machine", "none", "--accel", "tcg", "--detach"])
        #expect(result.status == 2, "\(result)")
        #expect(result.standardError.contains("symbolic link"), "\(result)")
        #expect(try ChildProcess.readFile(target) == "keep me\n")
    }

    /// The schema cache was keyed by what the server announced: one run against a fake server that claimed the real
    /// QEMU's version wrote a schema the real QEMU's runs then trusted. Now the key is the program behind the socket
    /// (the fake server is this test process), so the real QEMU's runs never read the fake's file. A bad cache file
    /// is replaced, never fatal.
    @Test func aFakeServerCannotPoisonTheSchemaCache() async throws {
        let qemu = try QEMUProcess.launch()
        let greeting: JSON = try await {
            let client = try await qemu.connect()
            defer { Task { await client.close() } }
            let version = client.greeting.version
            return [
                "QMP": [
                    "version": ["qemu": ["micro": .int(Int64(version.micro)), "minor": .int(Int64(version.minor)),
                                         "major": .int(Int64(version.major))], "package": .string(version.package)],
                    "capabilities": ["oob"],
                ],
            ]
        }()
        // The poisoned schema: device_del takes an `idd` that QEMU does not know.
        let poisoned: JSON = [
            ["name": "device_del", "meta-type": "command", "arg-type": "1", "ret-type": "0"],
            ["name": "query-status", "meta-type": "command", "arg-type": "0", "ret-type": "0"],
            ["name": "0", "meta-type": "object", "members": []],
            ["name": "1", "meta-type": "object", "members": [
                ["name": "id", "type": "str", "default": .null], ["name": "idd", "type": "str", "default": .null],
            ]],
            ["name": "str", "meta-type": "builtin", "json-type": "string"],
        ]
        let fake = try FakeQMPServer { peer in
            try peer.negotiate(greeting: greeting)
            while let request = try peer.receive() {
                try peer.reply(to: request, request["execute"]?.stringValue == "query-qmp-schema" ? poisoned : [:])
            }
        }
        let cache = scratch.file("cache")
        let env = ["/usr/bin/env", "QMPKIT_SCHEMA_CACHE=" + cache]
        let script = scratch.file("poison.qmp")
        try ChildProcess.writeFile(script, "device_del idd=x\n")
        let onFake = try await ChildProcess.run(env + [qmpsh, "run", script, "--monitor", fake.path])
        #expect(onFake.status == 0, "\(onFake)")
        let onQEMU = try await ChildProcess.run(env + [qmpsh, "run", script, "--monitor", qemu.monitorPath])
        #expect(onQEMU.status == 2, "the real QEMU's run trusted the fake's schema: \(onQEMU)")
        #expect(onQEMU.standardError.contains("unknown argument 'idd'"), "\(onQEMU)")
        let listing = try await ChildProcess.run(["/bin/ls", cache])
        let names = listing.standardOutput.split(separator: "\n").map(String.init)
        #expect(names.count == 2, "one file per program: \(names)")
        // Spoil every cache file: the next run discards them and stores the live schema again.
        for name in names { try ChildProcess.writeFile(cache + "/" + name, "{ not json") }
        let afterGarbage = try await ChildProcess.run(env + [qmpsh, "run", script, "--monitor", qemu.monitorPath])
        #expect(afterGarbage.status == 2 && afterGarbage.standardError.contains("unknown argument 'idd'"), "\(afterGarbage)")
        let sizes = try names.map { try ChildProcess.readFile(cache + "/" + $0).count }
        #expect(sizes.contains { $0 > 100_000 }, "the real QEMU's schema was stored again: \(sizes)")
    }

    /// QEMU's error text used to be printed raw: `device_del id=$'\e]0;PWNED\a'` set the terminal's title. On a
    /// terminal (a pty, through script(1)) the escape is now shown as text; through a pipe the bytes are kept.
    @Test func controlCharactersFromQEMUDoNotReachTheTerminal() async throws {
        let qemu = try QEMUProcess.launch()
        let hostile = "\u{1b}]0;PWNED\u{07}"
        let command = "\(qmpsh) exec \(qemu.monitorPath) device_del id='\(hostile)'"
        let onTerminal = try await ChildProcess.run(["/usr/bin/script", "-qec", command, "/dev/null"])
        #expect(onTerminal.standardOutput.contains("Device '\\e]0;PWNED\\x07' not found"), "\(onTerminal)")
        #expect(!onTerminal.standardOutput.contains("\u{1b}]0;"), "\(onTerminal)")
        let piped = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "device_del", "id=" + hostile])
        #expect(piped.status == 1 && piped.standardError.contains(hostile), "\(piped)")
    }
}
