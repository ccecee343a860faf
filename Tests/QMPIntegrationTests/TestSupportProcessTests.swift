#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPTestSupport

/// The test harness's own process handling (QMPTestSupport): waits honour their deadline, and descriptors reach
/// the child under the numbers asked for.
@Suite(.timeLimit(.minutes(1))) struct TestSupportProcessTests {
    /// `QEMUProcess.waitForExit(timeout:)` used to wait for the process's end whatever the timeout, because its
    /// task group waited for a child it could not cancel: a QEMU that did not exit (one ignoring SIGTERM) held the
    /// test until it died.
    @Test func waitForExitEndsAtItsDeadlineWhenTheProcessDoesNotExit() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-stubborn")
        // Stands in for QEMU (the arguments QEMUProcess adds are ignored): ignores SIGTERM and lives for 60 s.
        let program = directory.file("stubborn")
        try ChildProcess.writeFile(program, "#!/bin/sh\ntrap '' TERM\nexec sleep 60\n")
        #expect(chmod(program, 0o700) == 0)
        let process = try QEMUProcess.launch(binary: program)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: (any Error).self) { try await process.waitForExit(timeout: .milliseconds(500)) }
        let waited = clock.now - start
        #expect(waited < .seconds(10), "waitForExit(timeout: 0.5 s) returned after \(waited)")
        #expect(!process.hasExited)
        // The process is still there, and a later wait sees its end.
        process.kill(SIGKILL)
        let status = try await process.waitForExit(timeout: .seconds(10))
        #expect(status & 0x7f == SIGKILL, "raw wait status \(status)")
    }

    /// A descriptor whose number is another pair's target used to be overwritten by that pair's dup2 before it was
    /// handed over: the child got the wrong file under the number asked for.
    @Test func descriptorsReachTheChildUnderTheirTargetNumbers() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-fds")
        try ChildProcess.writeFile(directory.file("a"), "file-A")
        try ChildProcess.writeFile(directory.file("b"), "file-B")
        let a = open(directory.file("a"), O_RDONLY | O_CLOEXEC)
        let b = open(directory.file("b"), O_RDONLY | O_CLOEXEC)
        #expect(a >= 0 && b >= 0)
        defer {
            close(a)
            close(b)
        }
        // `a` becomes b's number, and b goes to 9: fd 9 must be file B, fd b file A.
        let result = try await ChildProcess.run(
            ["sh", "-c", "cat /dev/fd/9; echo; cat /dev/fd/\(b)"], inheriting: [(a, b), (b, 9)], timeout: .seconds(30))
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput == "file-B\nfile-A", "\(result)")
    }
}
