#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPTestSupport

/// Issue 15: a relative file name typed at qmpsh (exec, hmp, the shell) for a monitor on this machine means the
/// user's folder, not QEMU's. Before, `blockdev-change-medium filename=b.iso` looked for b.iso where QEMU was started.
@Suite(.timeLimit(.minutes(3)), .serialized) struct RelativePathTests {
    let qmpsh = ChildProcess.qmpsh

    static var guest: String { TestGuest.directory }

    /// `cd FOLDER && exec qmpsh ARGUMENTS`, with `input` on its standard input.
    func qmpsh(in folder: String, _ arguments: [String], input: String = "") async throws -> ProcessResult {
        let line = ([qmpsh] + arguments).map { "'" + $0.replacing("'", with: #"'\''"#) + "'" }.joined(separator: " ")
        return try await ChildProcess.run(["sh", "-c", "cd '\(folder)' && exec \(line)"], input: input)
    }

    @Test func relativeISONamesChangeTheCDFromTheUsersFolder() async throws {
        let user = try TemporaryDirectory(prefix: "qmpkit-rel")
        for name in ["a.iso", "b.iso"] {
            let copy = try await ChildProcess.run(["cp", Self.guest + "/" + name, user.file(name)])
            #expect(copy.status == 0, "\(copy)")
        }
        // QEMU runs in another folder (the test's), so a name it resolved itself would not be found.
        let qemu = try QEMUProcess.launch(arguments: [
            "-machine", "pc", "-accel", "tcg", "-m", "64",
            "-drive", "if=none,id=ide1-cd0,media=cdrom,format=raw,readonly=on,file=\(Self.guest)/a.iso",
            "-device", "ide-cd,drive=ide1-cd0,bus=ide.1,id=cdrom0",
        ])
        let change = try await qmpsh(
            in: user.path, ["exec", qemu.monitorPath, "blockdev-change-medium", "id=cdrom0", "filename=b.iso", "format=raw"])
        #expect(change.status == 0, "\(change)")
        let block = try await qmpsh(in: user.path, ["exec", qemu.monitorPath, "query-block"])
        #expect(block.standardOutput.contains(#""file":"\#(user.file("b.iso"))""#), "\(block)")
        // The shell, and QEMU's own `change` through it.
        let shell = try await qmpsh(
            in: user.path, ["shell", qemu.monitorPath],
            input: "blockdev-change-medium id=cdrom0 filename=./a.iso format=raw\nquery-block\nhmp change ide1-cd0 b.iso raw\nhmp info block\n")
        #expect(shell.standardOutput.contains(#""file":"\#(user.file("a.iso"))""#), "\(shell)")
        #expect(shell.standardOutput.contains("ide1-cd0 (#block") && shell.standardOutput.contains(user.file("b.iso")), "\(shell)")
        #expect(!shell.standardError.contains("Error"), "\(shell)")
        qemu.kill()
    }

    /// `run` scripts and raw JSON lines (in scripts and in the shell) used to send relative names as written, so QEMU
    /// wrote `screendump filename=rel.ppm` into its own folder.
    @Test func scriptsAndRawJSONLinesResolveAgainstTheUsersFolder() async throws {
        let user = try TemporaryDirectory(prefix: "qmpkit-rel")
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "pc", "-accel", "tcg", "-m", "64", "-device", "VGA"])
        // Where QEMU would put a name it resolved itself (its working directory is the test's); removed either way.
        var qemuFolder = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        #expect(getcwd(&qemuFolder, qemuFolder.count) != nil)
        let qemuSide = String(decoding: qemuFolder.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let names = ["rel-script.ppm", "rel-raw.ppm", "rel-hmp.ppm", "rel-hmc.ppm", "rel-shell-raw.ppm"]
        defer {
            qemu.kill()
            for name in names { unlink(qemuSide + "/" + name) }
        }
        try ChildProcess.writeFile(user.file("shots.qmp"), """
            screendump filename=rel-script.ppm
            {"execute":"screendump","arguments":{"filename":"rel-raw.ppm"}}
            hmp screendump rel-hmp.ppm
            human-monitor-command command-line="screendump rel-hmc.ppm"

            """)
        let run = try await qmpsh(in: user.path, ["run", "shots.qmp", "--monitor", qemu.monitorPath])
        #expect(run.status == 0, "\(run)")
        let shell = try await qmpsh(
            in: user.path, ["shell", qemu.monitorPath],
            input: #"{"execute":"screendump","arguments":{"filename":"rel-shell-raw.ppm"}}"# + "\n")
        #expect(shell.status == 0 && !shell.standardError.contains("Error"), "\(shell)")
        for name in names {
            #expect(access(user.file(name), R_OK) == 0, "\(name) is not in the user's folder")
            #expect(access(qemuSide + "/" + name, F_OK) != 0, "\(name) was written to QEMU's folder")
        }
    }
}
