#if canImport(Glibc)
import Glibc
#endif
import QMPTestSupport
import Testing

/// The five example scripts and `qmpsh guest`, run by the built qmpsh on a real guest: through the serial console
/// (one boot runs all five, one after another), and through the guest agent of a detached guest with no console
/// (`qmpsh run --monitor M --agent A`, the way a libvirt or detached guest is driven). One boot each.
struct RealGuestExamples {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
    /// What the examples are told about the guest (`--var prompt=...`), empty for the busybox defaults.
    var variables: [String]
    /// Boot options without the agent.
    var bootOptions: [String]
    /// A file that only this guest has, and a word in it (`qmpsh guest cat`).
    var osReleaseWord: String
    let scratch: TemporaryDirectory
    let bBootISO: String

    static let consoleExamples = ["hotplug-disk", "hotplug-nic", "cd-swap", "hotplug-memory", "hotplug-cpu"]

    /// The five examples (or their agent twins) as one script: each begins by waiting for the prompt, which
    /// the one before left on the console, and their device ids differ.
    func combined(agent: Bool) throws -> String {
        let path = scratch.file(agent ? "all-agent.qmp" : "all.qmp")
        let text = try Self.consoleExamples.map { name in
            try ChildProcess.readFile(examplesDirectory + "/" + name + (agent ? "-agent" : "") + ".qmp")
        }.joined(separator: "\n")
        try ChildProcess.writeFile(path, text)
        return path
    }

    func scriptVariables() async throws -> [String] {
        let disk = scratch.file("d1.qcow2")
        let image = try await ChildProcess.run([qmpsh, "img", "create", "-f", "qcow2", disk, "64M"])
        #expect(image.status == 0, "\(image)")
        return ["--var", "disk=" + disk, "--var", "iso_b=" + bBootISO] + variables.flatMap { ["--var", $0] }
    }

    func expectAllPassed(_ result: ProcessResult) {
        #expect(result.status == 0, "\(result)")
        let summary = result.standardOutput.split(separator: "\n").last { $0.contains(" statements, ") } ?? ""
        let counts = summary.split(separator: " ").compactMap { Int($0) }
        #expect(counts.count >= 2 && counts[0] == counts[1] && counts[0] > 40, "\(result)")
    }

    /// All five examples through the serial console of a guest booted for them.
    func consoleRun() async throws {
        let result = try await ChildProcess.run(
            [qmpsh, "run", try combined(agent: false)] + (try await scriptVariables()) + bootOptions, timeout: .seconds(900))
        expectAllPassed(result)
    }

    /// A detached guest with an agent: `qmpsh guest` exec/cat/cp/info, then the five agent twins with no console.
    func agentRun() async throws {
        let boot = try await ChildProcess.run([qmpsh, "boot"] + bootOptions + ["--agent", "--detach"], timeout: .seconds(120))
        #expect(boot.status == 0, "\(boot)")
        let lines = boot.standardOutput.split(separator: "\n").map(String.init)
        let monitor = try #require(lines.first { $0.hasPrefix("monitor: ") }.map { String($0.dropFirst(9)) }, "\(boot)")
        let agent = try #require(lines.first { $0.hasPrefix("agent: ") }.map { String($0.dropFirst(7)) }, "\(boot)")
        do {
            try await agentSteps(monitor: monitor, agent: agent)
        } catch {
            _ = try? await ChildProcess.run([qmpsh, "exec", monitor, "quit"])
            throw error
        }
        let quit = try await ChildProcess.run([qmpsh, "exec", monitor, "quit"])
        #expect(quit.status == 0, "\(quit)")
    }

    private func agentSteps(monitor: String, agent: String) async throws {
        do {
            // The first call waits (synchronising, no sleeping) until the booting guest's agent answers.
            let uname = try await ChildProcess.run(
                [qmpsh, "guest", agent, "exec", "--timeout", "600", "--", "uname", "-s"], timeout: .seconds(620))
            #expect(uname.status == 0 && uname.standardOutput == "Linux\n", "\(uname)")
            // `qmpsh exec` takes an agent address too (it used to wait 30 s for a QMP greeting and exit 3).
            let ping = try await ChildProcess.run([qmpsh, "exec", agent, "guest-ping"])
            #expect(ping.status == 0 && ping.standardOutput == "{}\n", "\(ping)")
            let failing = try await ChildProcess.run([qmpsh, "guest", agent, "exec", "--", "sh", "-c", "echo oops >&2; exit 7"])
            #expect(failing.status == 7 && failing.standardError == "oops\n", "\(failing)")
            let cat = try await ChildProcess.run([qmpsh, "guest", agent, "cat", "/etc/os-release"])
            #expect(cat.status == 0 && cat.standardOutput.contains(osReleaseWord), "\(cat)")
            let missing = try await ChildProcess.run([qmpsh, "guest", agent, "cat", "/no/such/file"])
            #expect(missing.status == 1 && missing.standardError.hasPrefix("GenericError: "), "\(missing)")
            let local = scratch.file("to-guest.txt")
            try ChildProcess.writeFile(local, "through the agent\n")
            let copyIn = try await ChildProcess.run([qmpsh, "guest", agent, "cp", local, ":/tmp/from-host.txt"])
            #expect(copyIn.status == 0, "\(copyIn)")
            let copyOut = try await ChildProcess.run(
                [qmpsh, "guest", agent, "cp", ":/tmp/from-host.txt", scratch.file("back.txt")])
            #expect(copyOut.status == 0, "\(copyOut)")
            #expect(try ChildProcess.readFile(scratch.file("back.txt")) == "through the agent\n")
            let info = try await ChildProcess.run([qmpsh, "guest", agent, "info"])
            #expect(info.status == 0, "\(info)")
            for title in ["OS", "INTERFACES", "DISKS", "FILESYSTEMS"] {
                #expect(info.standardOutput.contains("\n\(title)\n") || info.standardOutput.hasPrefix(title + "\n"), "\(info)")
            }
            let run = try await ChildProcess.run(
                [qmpsh, "run", try combined(agent: true), "--monitor", monitor, "--agent", agent] + (try await scriptVariables()),
                timeout: .seconds(600))
            expectAllPassed(run)
        }
    }
}

/// The examples and `qmpsh guest` on the busybox test guest (scripts/build-test-guest.sh), its terminal echoing
/// typed commands (no qmpkit.noecho): a console-expect that matched its own command's echo would fail here.
@Suite(.serialized, .timeLimit(.minutes(10))) struct BusyboxGuestExampleTests {
    func examples() throws -> RealGuestExamples {
        let guest = ExampleScriptTests.guestDirectory
        for name in ["vmlinux", "initrd.gz", "a.iso", "b.iso"] where access(guest + "/" + name, R_OK) != 0 {
            throw TestSupportError("no \(guest)/\(name): build the test guest with scripts/build-test-guest.sh")
        }
        return RealGuestExamples(
            variables: [],
            bootOptions: [
                "--accel", "tcg", "-m", "256,slots=2,maxmem=1G", "--smp", "1,maxcpus=2",
                "--kernel", guest + "/vmlinux", "--initrd", guest + "/initrd.gz",
                "--append", "console=ttyS0 memhp_default_state=online quiet",
                "--cdrom", guest + "/a.iso", "--powerdown-timeout", "0",
            ],
            osReleaseWord: "qmpkit-busybox", scratch: try TemporaryDirectory(prefix: "qmpkit-busybox-examples"),
            bBootISO: guest + "/b.iso")
    }

    @Test func examplesThroughAnEchoingConsole() async throws {
        try await examples().consoleRun()
    }

    @Test func examplesAndGuestCommandsThroughTheAgent() async throws {
        try await examples().agentRun()
    }
}

/// The real-distribution suite: the same on a Debian 12 guest (systemd, udev, dbus; scripts/build-debian-guest.sh),
/// whose prompt is `root@debian:~# `, whose hot-plugged disk is vdb and whose udev locks the CD tray.
/// Runs when asked for with QMPKIT_REAL_DISTRO=1 (CI does, after building the image); then a missing image fails.
@Suite(
    .serialized, .timeLimit(.minutes(20)),
    .enabled(if: getenv("QMPKIT_REAL_DISTRO").map { String(cString: $0) } == "1",
             "the real-distribution suite runs with QMPKIT_REAL_DISTRO=1 (after scripts/build-debian-guest.sh)"))
struct RealDistributionTests {
    static var debianDirectory: String {
        if let value = getenv("QMPKIT_DEBIAN_DIR") { return String(cString: value) }
        return String(cString: getenv("HOME")) + "/.cache/qmpkit/debian"
    }

    func examples() async throws -> RealGuestExamples {
        let debian = Self.debianDirectory
        let guest = ExampleScriptTests.guestDirectory
        for path in [debian + "/vmlinuz", debian + "/initrd.img", debian + "/debian.qcow2", guest + "/a.iso", guest + "/b.iso"]
        where access(path, R_OK) != 0 {
            throw TestSupportError("no \(path): build the Debian guest with scripts/build-debian-guest.sh (and the test guest's ISOs with scripts/build-test-guest.sh)")
        }
        let scratch = try TemporaryDirectory(prefix: "qmpkit-debian-examples")
        // A throw-away overlay: the cached image is never written.
        let overlay = scratch.file("root.qcow2")
        let created = try await ChildProcess.run(
            ["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", debian + "/debian.qcow2", overlay])
        #expect(created.status == 0, "\(created)")
        return RealGuestExamples(
            variables: ["prompt=root@debian:~# ", "disk_name=vdb"],
            bootOptions: [
                "--accel", "tcg", "-m", "512,slots=2,maxmem=2G", "--smp", "1,maxcpus=2",
                "--kernel", debian + "/vmlinuz", "--initrd", debian + "/initrd.img",
                "--append", "root=/dev/vda rw console=ttyS0 quiet memhp_default_state=online",
                "--drive", "file=\(overlay),format=qcow2,if=virtio", "--cdrom", guest + "/a.iso", "--powerdown-timeout", "0",
            ],
            osReleaseWord: "ID=debian", scratch: scratch, bBootISO: guest + "/b.iso")
    }

    @Test func examplesThroughTheConsole() async throws {
        try await examples().consoleRun()
    }

    @Test func examplesAndGuestCommandsThroughTheAgent() async throws {
        try await examples().agentRun()
    }
}
