#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMP
import QMPTestSupport
import Testing

/// The test guest (`~/.cache/qmpkit/guest`, or `$QMPKIT_GUEST_DIR`), built by scripts/build-test-guest.sh.
enum TestGuest {
    static var directory: String {
        if let value = getenv("QMPKIT_GUEST_DIR") { return String(cString: value) }
        return (getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest"
    }

    static func file(_ name: String) -> String { directory + "/" + name }

    /// The test guest under TCG: kernel (uncompressed, boots in ~3 s), busybox initramfs, shell on the console.
    static func machine() -> MachineConfiguration {
        var machine = MachineConfiguration()
        machine.accelerator = .tcg
        machine.memory = .init(megabytes: 128)
        machine.kernel = file("vmlinux")
        machine.initrd = file("initrd.gz")
        machine.append = "console=ttyS0 quiet qmpkit.noecho"
        return machine
    }

    /// A machine with no guest OS (`pc`, 64 MiB): QEMU and its monitor only.
    static func bareMachine() -> MachineConfiguration {
        var machine = MachineConfiguration()
        machine.accelerator = .tcg
        machine.memory = .init(megabytes: 64)
        return machine
    }

    static var options: Guest.Options {
        var options = Guest.Options()
        options.powerdownTimeout = .zero  // neither busybox nor a bare machine handles the ACPI power button
        return options
    }
}

/// What a guest left behind: its QEMU processes and whether its runtime directory still exists.
struct Leftovers: CustomStringConvertible {
    var processes: [(Int32, String)]
    var directoryExists: Bool

    init(directory: String) {
        processes = Probe.qemuProcesses(mentioning: directory)
        directoryExists = Probe.exists(directory)
    }

    var description: String { "QEMU processes \(processes.map { "\($0.0) \($0.1)" }), runtime dir \(directoryExists ? "left" : "gone")" }
}

/// The guest runner's process cancelled or killed at each step of boot and shutdown: no QEMU is left, and for
/// cancellation the runtime directory is gone too.
@Suite(.timeLimit(.minutes(3))) struct GuestFaultTests {
    /// A stand-in for QEMU that starts, tells the test its arguments through a FIFO, and never greets.
    static func silentQEMU(in directory: TemporaryDirectory) throws -> (binary: String, fifo: String) {
        let fifo = directory.file("started.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let binary = directory.file("silent-qemu")
        try ChildProcess.writeFile(binary, "#!/bin/sh\necho \"$@\" > '\(fifo)'\nexec sleep 600\n")
        #expect(chmod(binary, 0o700) == 0)
        return (binary, fifo)
    }

    /// Reads the FIFO once the stand-in has written its arguments (blocks until it does; a thread of its own).
    static func readArguments(_ fifo: String) async -> String {
        await withCheckedContinuation { continuation in
            startThread {
                continuation.resume(returning: String(decoding: Probe.readBytes(fifo) ?? [], as: UTF8.self))
            }
        }
    }

    /// The runtime directory named in QEMU's arguments (`logfile=DIR/console.log`).
    static func runtimeDirectory(in arguments: String) -> String? {
        guard let range = arguments.firstRange(of: "logfile=") else { return nil }
        let rest = arguments[range.upperBound...]
        guard let end = rest.firstRange(of: "/console.log") else { return nil }
        return String(rest[..<end.lowerBound])
    }

    /// Cancelled before the greeting (QEMU started, its monitor silent): the launch ends at once with
    /// `CancellationError`, not at the 30 s monitor timeout, and kills QEMU and removes the directory.
    @Test func cancelledBeforeTheGreeting() async throws {
        let scratch = try TemporaryDirectory(prefix: "qmpkit-rel")
        let (binary, fifo) = try Self.silentQEMU(in: scratch)
        var machine = TestGuest.bareMachine()
        machine.qemu = binary
        let launch = Task { try await Guest.launch(machine, options: TestGuest.options) }
        // Should the launch fail before the stand-in runs, open the FIFO ourselves so the reader is not stuck.
        let unblock = Task.detached {
            _ = await launch.result
            let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if fd >= 0 { close(fd) }
        }
        defer { unblock.cancel() }
        let arguments = await Self.readArguments(fifo)
        let directory = try #require(Self.runtimeDirectory(in: arguments), "arguments: \(arguments)")
        #expect(Probe.exists(directory))
        let clock = ContinuousClock()
        let cancelled = clock.now
        launch.cancel()
        await #expect(throws: CancellationError.self) { _ = try await launch.value }
        let elapsed = clock.now - cancelled
        #expect(elapsed < .seconds(2), "the launch took \(elapsed) to end after cancellation")
        let left = Leftovers(directory: directory)
        #expect(left.processes.isEmpty && !left.directoryExists, "\(left)")
        report("Guest.launch cancelled before the greeting: ended in \(elapsed.formatted); \(left)")
    }

    enum BootStep: String, CaseIterable, Sendable {
        /// Right after the monitor is ready, before the kernel has printed anything.
        case monitorReady
        /// While the kernel boots (its first console output seen).
        case kernelBooting
        /// At the guest's shell prompt.
        case shellReady
    }

    /// The task running `withGuest` is cancelled at each step of a real guest's boot.
    @Test(arguments: BootStep.allCases)
    func cancelledDuringBoot(at step: BootStep) async throws {
        let witness = TestBox<String>()
        let reached = AsyncStream<Void>.makeStream()
        let task = Task {
            defer { reached.continuation.finish() }  // a body that fails early must not leave the test waiting
            try await Guest.withGuest(TestGuest.machine(), options: TestGuest.options) { guest in
                witness.set(guest.runtimeDirectory.path)
                switch step {
                case .monitorReady: break
                case .kernelBooting: try await guest.console.waitForOutput(timeout: .seconds(60))
                case .shellReady: try await guest.console.expect("QMPKIT-GUEST-READY", timeout: .seconds(60))
                }
                reached.continuation.yield()
                _ = try await guest.console.expect("text that never comes", timeout: .seconds(600))
            }
        }
        for await _ in reached.stream { break }
        let clock = ContinuousClock()
        let cancelled = clock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        let elapsed = clock.now - cancelled
        let directory = try #require(witness.get())
        let left = Leftovers(directory: directory)
        #expect(left.processes.isEmpty && !left.directoryExists, "\(left)")
        #expect(elapsed < .seconds(10))
        report("withGuest cancelled at \(step.rawValue): shut down in \(elapsed.formatted); \(left)")
    }

    /// Cancelled during shutdown (waiting for the guest to power off): the ladder still runs to the end, within
    /// its time limits.
    @Test func cancelledDuringShutdown() async throws {
        var options = TestGuest.options
        options.powerdownTimeout = .seconds(3)  // busybox ignores the power button: the ladder goes on to quit
        let guest = try await Guest.launch(TestGuest.machine(), options: options)
        let directory = guest.runtimeDirectory.path
        try await guest.console.expect("QMPKIT-GUEST-READY", timeout: .seconds(60))
        let powerdown = guest.client.events(.names("POWERDOWN"))
        let shutdown = Task { await guest.shutdown() }
        _ = try await powerdown.next()  // the ladder's first step has been taken
        let clock = ContinuousClock()
        let cancelled = clock.now
        shutdown.cancel()
        let termination = await shutdown.value
        let elapsed = clock.now - cancelled
        #expect(termination == .exited(0), "quit after the powerdown wait")
        // The 3 s powerdown wait, then `quit` ends QEMU at once (without it, 5 more seconds until SIGTERM).
        #expect(elapsed < .seconds(5), "the ladder took \(elapsed): quit was not sent")
        let left = Leftovers(directory: directory)
        #expect(left.processes.isEmpty && !left.directoryExists, "\(left)")
        report("shutdown cancelled during the powerdown wait: ladder finished (\(termination)) in \(elapsed.formatted); \(left)")
    }

    /// Starts `qmpsh boot` with the test guest and returns it with its QEMU's pid and monitor path, read from
    /// qmpsh's stderr, and a reader of its stdout (the console).
    static func bootWithQMPSH() async throws -> (Subprocess, Int32, String, SocketConnection) {
        let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
        let (errReader, errWriter) = try SocketConnection.pair()
        let (outReader, outWriter) = try SocketConnection.pair()
        let boot = try withExtendedLifetime((errWriter, outWriter)) {
            try Subprocess.launch(
                [qmpsh, "boot", "--accel", "tcg", "-m", "128", "--kernel", TestGuest.file("vmlinux"),
                 "--initrd", TestGuest.file("initrd.gz"), "--append", "console=ttyS0 quiet qmpkit.noecho"],
                stdout: .descriptor(outWriter.fileDescriptor), stderr: .descriptor(errWriter.fileDescriptor))
        }
        let text = try await readUntil("(Ctrl-C", from: errReader)
        let words = text.split(separator: " ")
        let monitor = try #require(words.firstIndex(of: "monitor:").map { String(words[$0 + 1]) }, "stderr: \(text)")
        let pid = try #require(words.firstIndex(of: "pid:").flatMap { Int32(words[$0 + 1]) }, "stderr: \(text)")
        return (boot, pid, monitor, outReader)
    }

    /// Reads from `connection` until `marker` appears (or end of stream); on a thread of its own.
    static func readUntil(_ marker: String, from connection: SocketConnection) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            startThread {
                var text = ""
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
                defer { buffer.deallocate() }
                do {
                    while !text.contains(marker) {
                        guard connection.waitReadable(milliseconds: 60_000) else {
                            throw TestSupportError("no '\(marker)' within 60 s; got: \(text)")
                        }
                        let count = try connection.receive(into: buffer)
                        guard count > 0 else { break }
                        text += String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
                    }
                    continuation.resume(returning: text)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// SIGKILL of `qmpsh boot` while the guest boots: QEMU dies with it (parent-death signal). The runtime
    /// directory stays behind — nothing is left to remove it — but it holds only a dead socket and logs.
    @Test func qmpshKilledDuringBoot() async throws {
        let (boot, pid, monitor, _) = try await Self.bootWithQMPSH()
        let directory = String(monitor.dropLast("/qmp.sock".count))
        #expect(kill(pid, 0) == 0)
        boot.signal(SIGKILL)
        _ = await boot.wait()
        // QEMU is not our child: nothing to wait on but /proc.
        let gone = await Probe.eventually(within: .seconds(10)) { Probe.qemuProcesses(mentioning: directory).isEmpty }
        let left = Leftovers(directory: directory)
        #expect(gone, "\(left)")
        report("qmpsh boot SIGKILLed during boot: \(left)")
        if left.directoryExists { _ = try? await Subprocess.run(["rm", "-rf", directory]) }
    }

    /// SIGTERM starts `qmpsh boot`'s shutdown ladder; SIGKILL in the middle of it still leaves no QEMU.
    @Test func qmpshKilledDuringShutdown() async throws {
        let (boot, pid, monitor, console) = try await Self.bootWithQMPSH()
        let directory = String(monitor.dropLast("/qmp.sock".count))
        _ = try await Self.readUntil("QMPKIT-GUEST-READY", from: console)
        boot.signal(SIGTERM)
        // A moment inside the 10 s powerdown wait that SIGTERM began (not a wait for a result).
        try await Task.sleep(for: .milliseconds(500))
        #expect(kill(pid, 0) == 0, "QEMU still runs during the powerdown wait")
        boot.signal(SIGKILL)
        _ = await boot.wait()
        let gone = await Probe.eventually(within: .seconds(10)) { Probe.qemuProcesses(mentioning: directory).isEmpty }
        let left = Leftovers(directory: directory)
        #expect(gone, "\(left)")
        report("qmpsh boot SIGKILLed during shutdown: \(left)")
        if left.directoryExists { _ = try? await Subprocess.run(["rm", "-rf", directory]) }
    }
}
