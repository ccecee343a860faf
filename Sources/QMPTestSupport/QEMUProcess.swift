#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP
import Synchronization

/// A real `qemu-system-x86_64` for tests and benchmarks, with its QMP monitor on a Unix socket that accepts
/// connections from the moment ``launch(arguments:binary:)`` returns (the socket is bound before QEMU starts and
/// handed to it as a descriptor, so there is no start-up race and no polling).
///
/// The process is killed when the object is released; ``waitForExit(timeout:)`` waits for the real exit.
public final class QEMUProcess: Sendable {
    public let pid: Int32
    /// Path of the QMP socket.
    public let monitorPath: String
    public let directory: TemporaryDirectory
    private let exit = ExitBox()

    private final class ExitBox: Sendable {
        struct State {
            var status: Int32?
            var waiters: [UnsafeContinuation<Int32, Never>] = []
        }
        let state = Mutex(State())
    }

    /// The binary used when none is given: `$QMPKIT_QEMU`, else `qemu-system-x86_64` from `PATH`.
    public static var defaultBinary: String {
        if let value = getenv("QMPKIT_QEMU") { return String(cString: value) }
        return "qemu-system-x86_64"
    }

    /// Starts QEMU with `arguments` (default: `-machine none`) plus `-display none -nodefaults` and the monitor.
    ///
    /// Throws when the binary cannot be started — a test that needs QEMU then fails, it does not skip.
    public static func launch(arguments: [String] = ["-machine", "none"], binary: String = defaultBinary) throws
        -> QEMUProcess
    {
        let directory = try TemporaryDirectory(prefix: "qmpkit-qemu")
        let monitorPath = directory.file("qmp.sock")
        let listener = try ListeningSocket(path: monitorPath)
        let argv = [binary, "-display", "none", "-nodefaults",
                    "-chardev", "socket,id=qmp0,fd=3,server=on,wait=off", "-mon", "chardev=qmp0,mode=control"]
            + arguments
        let pid = try withExtendedLifetime(listener) {
            try spawn(argv, stderr: directory.file("stderr.log"), inheriting: [(listener.fileDescriptor, 3)])
        }
        // QEMU has its own copy now. Closing ours (when `listener` goes away here) means that once QEMU exits, the
        // socket is gone too: clients queued on it are reset instead of waiting for a greeting that cannot come.
        return QEMUProcess(pid: pid, monitorPath: monitorPath, directory: directory)
    }

    private init(pid: pid_t, monitorPath: String, directory: TemporaryDirectory) {
        self.pid = pid
        self.monitorPath = monitorPath
        self.directory = directory
        startThread { [exit] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let waiters = exit.state.withLock { state in
                state.status = status
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
    }

    deinit {
        if exit.state.withLock({ $0.status == nil }) { Glibc.kill(pid, SIGKILL) }
    }

    /// The monitor's address.
    public var monitorAddress: MonitorAddress { .unix(path: monitorPath) }

    /// Connects a client to the monitor.
    public func connect(configuration: QMPClient.Configuration = QMPClient.Configuration()) async throws -> QMPClient {
        try await QMPClient.connect(to: monitorAddress, configuration: configuration)
    }

    /// Sends `signal` to QEMU.
    public func kill(_ signal: Int32 = 9 /* SIGKILL */) {
        if exit.state.withLock({ $0.status == nil }) { Glibc.kill(pid, signal) }
    }

    /// True once QEMU has exited.
    public var hasExited: Bool { exit.state.withLock { $0.status != nil } }

    /// Waits until QEMU exits and returns its raw wait status; throws when it is still running after `timeout`.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.exitStatus() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let status = first else {
                throw TestSupportError("QEMU (pid \(pid)) still running after \(timeout)")
            }
            return status
        }
    }

    private func exitStatus() async -> Int32 {
        await withUnsafeContinuation { continuation in
            let status = exit.state.withLock { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// What QEMU wrote to stderr so far.
    public var standardError: String {
        (try? ChildProcess.readFile(directory.file("stderr.log"))) ?? ""
    }
}

/// Starts `argv` (looked up in `PATH`), never through a shell: standard input, output and error are opened from
/// the given paths, and each `(source, target)` descriptor of this process becomes `target` in the child.
func spawn(
    _ argv: [String], stdin: String = "/dev/null", stdout: String = "/dev/null", stderr: String,
    inheriting descriptors: [(Int32, Int32)] = []
) throws -> pid_t {
    let result = spawnProcess(argv) { actions in
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        for (source, target) in descriptors { posix_spawn_file_actions_adddup2(&actions, source, target) }
    }
    switch result {
    case .success(let pid): return pid
    case .failure(let error):
        throw TestSupportError("cannot start \(argv[0]): \(error.message) (scripts/setup.sh installs what the tests need)")
    }
}
