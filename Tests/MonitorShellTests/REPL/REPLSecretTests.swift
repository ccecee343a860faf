#if canImport(Glibc)
import Glibc
#endif
import Testing
import LineEditing
import MonitorShell
import QMP
import QMPTestSupport

/// Secrets typed at the shell (issue 20): the history keeps each line with the secret as `***`, a `.record` file
/// holds none of them and is 0600, and text from QEMU reaches the screen with its control characters escaped.
@Suite(.timeLimit(.minutes(2))) struct REPLSecretTests {
    static func canary(_ label: String) -> String {
        var random = SystemRandomNumberGenerator()
        return "qmpkitCanary\(label)x\(String(random.next() & 0xffff_ffff, radix: 16))"
    }

    @Test func historyAndRecordingsKeepNoSecret() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await MonitorConnector.standard.connect(qemu.monitorPath)
        let directory = try TemporaryDirectory()
        let path = directory.file("session.qmp")
        let secrets = (1...7).map { Self.canary("REPL\($0)") }
        let editor = ScriptedLineEditor(lines: [
            ".record \(path)",
            "object-add qom-type=secret id=s0 data=\(secrets[0])",
            "qom-get path=/objects/s0 property=data",
            "set_password protocol=vnc password=\(secrets[1])",
            "!change vnc password \(secrets[2])",
            "hmp set_password\tvnc\t\(secrets[3])",
            "hmp block_passwd ide0-hd0 \(secrets[4])",
            "object-add qom-type=secret id=s1 data=\"\(secrets[5]) with spaces\"",
            #"{"execute": "object-add", "arguments": {"qom-type": "secret", "id": "s2", "data": "\#(secrets[6])"}}"#,
            ".record off",
        ], endsAfterLines: true)
        _ = await MonitorREPL(sessions: [monitor], editor: editor).run()
        await monitor.close()
        let recorded = try ChildProcess.readFile(path)
        #expect(recorded.contains("object-add qom-type=secret id=s0 data=***"), "\(recorded)")
        #expect(recorded.contains("qom-get path=/objects/s0 property=data\n# \"***\""), "\(recorded)")
        for secret in secrets {
            #expect(!recorded.contains(secret), "the recording holds \(secret):\n\(recorded)")
            #expect(!editor.history.contains { $0.contains(secret) }, "the history holds \(secret): \(editor.history)")
        }
        #expect(editor.history.contains("object-add qom-type=secret id=s0 data=***"), "\(editor.history)")
        #expect(editor.history.contains("!change vnc password ***"), "\(editor.history)")
        #expect(editor.history.contains("hmp set_password vnc ***"), "\(editor.history)")
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    @Test func controlCharactersFromQEMUAreEscapedOnTheScreen() async throws {
        let qemu = try QEMUProcess.launch()
        let monitor = try await MonitorConnector.standard.connect(qemu.monitorPath)
        let editor = ScriptedLineEditor(lines: ["device_del id=\"\\u001b]0;PWNED\\u0007\""], endsAfterLines: true)
        _ = await MonitorREPL(sessions: [monitor], editor: editor).run()
        await monitor.close()
        #expect(editor.errorOutput.contains("Device '\\e]0;PWNED\\x07' not found"), "\(editor.errorOutput)")
        #expect(!editor.errorOutput.contains("\u{1b}"))
    }
}
