#if canImport(Glibc)
import Glibc
#endif
import Testing
import QEMURunner
import QMP
import QMPTestSupport

/// Launch, failure and clean-up of guests: nothing is left behind on any path.
@Suite(.timeLimit(.minutes(3))) struct GuestLifecycleTests {
    static func bareMachine() -> MachineConfiguration {
        var machine = MachineConfiguration()
        machine.accelerator = .tcg
        machine.memory = .init(megabytes: 64)
        return machine
    }

    static func options() -> Guest.Options {
        var options = Guest.Options()
        options.powerdownTimeout = .zero
        return options
    }

    @Test func qemuThatExitsEarlyReportsItsError() async throws {
        var machine = Self.bareMachine()
        machine.extraArguments = ["-device", "no-such-device-model"]
        await #expect {
            try await Guest.launch(machine, options: Self.options())
        } throws: { error in
            guard let error = error as? RunnerError else { return false }
            return error.code == .qemuExited && error.message.contains("'no-such-device-model' is not a valid device model name")
        }
    }

    @Test func missingQEMUIsNotFound() async throws {
        var machine = Self.bareMachine()
        machine.qemu = "/nonexistent/qemu-system-x86_64"
        await #expect {
            try await Guest.launch(machine, options: Self.options())
        } throws: { error in
            (error as? RunnerError)?.code == .notFound
        }
    }

    @Test func cleanUpWhenTheBodyThrows() async throws {
        struct Failure: Error {}
        let witness = TestBox<(Int32, String)>()
        await #expect(throws: Failure.self) {
            try await Guest.withGuest(Self.bareMachine(), options: Self.options()) { guest in
                witness.set((guest.process.pid, guest.runtimeDirectory.path))
                #expect(try await guest.client.execute(QueryStatus()).running)
                throw Failure()
            }
        }
        let (pid, directory) = try #require(witness.get())
        #expect(kill(pid, 0) != 0, "QEMU \(pid) still exists")
        #expect(access(directory, F_OK) != 0, "runtime directory \(directory) left behind")
    }

    @Test func cleanUpWhenCancelled() async throws {
        let witness = TestBox<(Int32, String)>()
        let started = AsyncStream<Void>.makeStream()
        let task = Task {
            try await Guest.withGuest(Self.bareMachine(), options: Self.options()) { guest in
                witness.set((guest.process.pid, guest.runtimeDirectory.path))
                started.continuation.yield()
                _ = try await guest.console.expect("text that never comes", timeout: .seconds(600))
            }
        }
        for await _ in started.stream { break }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        let (pid, directory) = try #require(witness.get())
        #expect(kill(pid, 0) != 0, "QEMU \(pid) still exists")
        #expect(access(directory, F_OK) != 0)
    }

    @Test func shutdownLadderEndsAGuestThatIgnoresPowerdown() async throws {
        var options = Self.options()
        options.powerdownTimeout = .milliseconds(300)  // -machine pc without an OS: ACPI power button goes unheard
        try await Guest.withGuest(Self.bareMachine(), options: options) { guest in
            let termination = await guest.shutdown()
            #expect(termination == .exited(0), "quit after the powerdown wait")
        }
    }

    @Test func killingTheClientLeavesNoQEMU() async throws {
        // qmpsh boot runs in a process of its own; SIGKILL it and QEMU must die with it (parent-death signal).
        let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
        let (reader, writer) = try SocketConnection.pair()
        let boot = try withExtendedLifetime(writer) {
            try Subprocess.launch(
                [qmpsh, "boot", "--accel", "tcg", "-m", "64"], stderr: .descriptor(writer.fileDescriptor))
        }
        // qmpsh reports the monitor and QEMU's pid on stderr once the monitor is ready.
        var text = ""
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        while !text.contains("(Ctrl-C") {
            let count = try reader.receive(into: buffer)
            guard count > 0 else { break }
            text += String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
        }
        let words = text.split(separator: " ")
        let monitor = try #require(words.firstIndex(of: "monitor:").map { String(words[$0 + 1]) })
        let pid = try #require(words.firstIndex(of: "pid:").flatMap { Int32(words[$0 + 1]) })
        #expect(kill(pid, 0) == 0)
        boot.signal(SIGKILL)
        _ = await boot.wait()
        // QEMU got SIGKILL as its parent died: its monitor can no longer greet anyone.
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = .seconds(5)
        await #expect(throws: QMPConnectionError.self) {
            try await QMPClient.connect(to: .unix(path: monitor), configuration: configuration)
        }
    }
}
