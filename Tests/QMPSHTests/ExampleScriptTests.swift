#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPTestSupport

/// The scripts under scripts/examples, run by the built qmpsh on a test guest it boots for each (TCG). Each checks
/// the guest side through the serial console; a failure prints the whole run.
@Suite(.timeLimit(.minutes(3))) struct ExampleScriptTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "qmpkit-examples")
    }

    /// The test guest (scripts/build-test-guest.sh); missing files make the run fail, not skip.
    static var guestDirectory: String {
        if let value = getenv("QMPKIT_GUEST_DIR") { return String(cString: value) }
        return String(cString: getenv("HOME")) + "/.cache/qmpkit/guest"
    }

    /// Boot options for the test guest, as README shows them.
    static var bootOptions: [String] {
        let guest = guestDirectory
        return [
            "--accel", "tcg", "-m", "256,slots=2,maxmem=1G", "--smp", "1,maxcpus=2",
            "--kernel", guest + "/vmlinux", "--initrd", guest + "/initrd.gz",
            "--append", "console=ttyS0 memhp_default_state=online quiet qmpkit.noecho",
            "--cdrom", guest + "/a.iso", "--powerdown-timeout", "0",
        ]
    }

    func run(_ example: String, _ extra: [String] = []) async throws -> ProcessResult {
        try await ChildProcess.run(
            [qmpsh, "run", examplesDirectory + "/" + example] + extra + Self.bootOptions, timeout: .seconds(150))
    }

    func expectAllPassed(_ result: ProcessResult, statements: Int) {
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains(": \(statements) statements, \(statements) passed in "), "\(result)")
        #expect(result.standardError.contains("# guest shut down: exit status 0"), "\(result)")
    }

    @Test func hotplugDisk() async throws {
        let disk = scratch.file("d1.qcow2")
        let image = try await ChildProcess.run([qmpsh, "img", "create", "-f", "qcow2", disk, "64M"])
        #expect(image.status == 0, "\(image)")
        expectAllPassed(try await run("hotplug-disk.qmp", ["--var", "disk=" + disk]), statements: 14)
    }

    @Test func hotplugNIC() async throws {
        expectAllPassed(try await run("hotplug-nic.qmp"), statements: 14)
    }

    @Test func cdSwap() async throws {
        expectAllPassed(try await run("cd-swap.qmp", ["--var", "iso_b=" + Self.guestDirectory + "/b.iso"]), statements: 22)
    }

    @Test func hotplugCPU() async throws {
        expectAllPassed(try await run("hotplug-cpu.qmp"), statements: 11)
    }

    @Test func hotplugMemoryThroughBootScript() async throws {
        // The same through `qmpsh boot --script`, with a JSON report and a transcript.
        let transcript = scratch.file("memory.jsonl")
        let result = try await ChildProcess.run(
            [qmpsh, "boot"] + Self.bootOptions
                + ["--script", examplesDirectory + "/hotplug-memory.qmp", "--json", "--transcript", transcript],
            timeout: .seconds(150))
        #expect(result.status == 0, "\(result)")
        let summary = result.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix(#"{"summary":"#) && summary.contains(#""passed":11,"failed":0"#), "\(result)")
        #expect(result.standardOutput.contains(#""event":"ACPI_DEVICE_OST""#))
        #expect(try ChildProcess.readFile(transcript).contains(#""execute":"object-add""#))
    }

    @Test func aFailingScriptOnABootedGuestStillShutsItDown() async throws {
        let result = try await run("failing.qmp")
        #expect(result.status == 1, "\(result)")
        #expect(result.standardError.contains("failing.qmp:6:1: DeviceNotFound: Device 'no-such-disk' not found"))
        #expect(result.standardError.contains("# guest shut down: exit status 0"))
    }
}
