#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import QMP

extension HostCheck {
    /// Starts `qemu -machine none -accel ACCELERATOR` with its QMP monitor on one end of a socketpair (no socket
    /// file, no start-up race), runs `body` on the monitor, then quits QEMU (SIGKILL if it lingers).
    ///
    /// A QEMU that refuses the accelerator exits at once; the error then carries its standard error (e.g.
    /// "Could not access KVM kernel module: Permission denied").
    package static func withMonitor<Result: Sendable>(
        qemu: String, accelerator: String, timeout: Duration, _ body: (QMPClient) async throws -> Result
    ) async -> Swift.Result<Result, RunnerError> {
        let directory: RuntimeDirectory
        do { directory = try RuntimeDirectory.create(prefix: "qmpkit-doctor") } catch { return .failure(error) }
        defer { directory.remove() }
        let stderrPath = directory.file("stderr")
        let argv = [
            qemu, "-display", "none", "-nodefaults", "-no-user-config", "-machine", "none", "-accel", accelerator,
            "-chardev", "socket,id=qmp,fd=3", "-mon", "chardev=qmp,mode=control",
        ]
        let process: Subprocess
        let connection: SocketConnection
        do { (process, connection) = try launchWithSocket(argv, stderr: stderrPath) } catch { return .failure(error) }

        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = timeout
        configuration.defaultTimeout = timeout
        do {
            let client = try await QMPClient.connect(using: connection, configuration: configuration)
            let result: Result
            do {
                result = try await body(client)
            } catch {
                await client.close()
                throw error
            }
            _ = try? await client.execute(Quit())
            await client.close()
            if await process.wait(timeout: .seconds(5)) == nil {
                process.signal(SIGKILL)
                _ = await process.wait()
            }
            return .success(result)
        } catch {
            // QEMU that failed to start has exited already; one that hangs is killed.
            let termination: Termination
            if let ended = await process.wait(timeout: .seconds(2)) {
                termination = ended
            } else {
                process.signal(SIGKILL)
                termination = await process.wait()
            }
            let stderr = oneLine(readTextFile(stderrPath) ?? "")
            if stderr.isEmpty {
                return .failure(RunnerError(.qemuExited, "\(argv[0]) -accel \(accelerator): \(error) (\(termination))"))
            }
            return .failure(RunnerError(.qemuExited, "\(argv[0]) -accel \(accelerator) failed (\(termination)): \(stderr)"))
        }
    }

    /// Launches `argv` with one end of a fresh socketpair as its descriptor 3; returns the process and the other
    /// end. The child dies with this process.
    static func launchWithSocket(_ argv: [String], stderr: String) throws(RunnerError) -> (Subprocess, SocketConnection) {
        let pair: (SocketConnection, SocketConnection)
        do { pair = try SocketConnection.pair() } catch { throw RunnerError(.io, error.description) }
        let (mine, theirs) = pair
        // Keep our copy of the child's end open until the child has its own, then let it go: once QEMU exits,
        // `mine` sees end of stream instead of waiting forever.
        let process = try withExtendedLifetime(theirs) { () throws(RunnerError) -> Subprocess in
            try Subprocess.launch(
                argv, stderr: .file(stderr), inheriting: [(theirs.fileDescriptor, 3)], dieWithParent: true)
        }
        return (process, mine)
    }

    /// QEMU's several lines of standard error as one; its warnings are left out when there is more to say.
    static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { trim($0) }.filter { !$0.isEmpty }
        let errors = lines.filter { !$0.contains("warning: ") }
        return (errors.isEmpty ? lines : errors).joined(separator: "; ")
    }
}
