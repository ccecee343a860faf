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
    /// The QEMU process's id.
    public let pid: Int32
    /// Path of the QMP socket.
    public let monitorPath: String
    /// The private directory holding the QMP socket and QEMU's `stderr.log`; removed when this object is released.
    public let directory: TemporaryDirectory
    private let exit = ExitBox()

    private final class ExitBox: Sendable {
        struct State {
            var status: Int32?
            /// Callers of `exitStatus(waiter:)` still waiting, by waiter number.
            var waiters: [Int: UnsafeContinuation<Int32?, Never>] = [:]
            /// Waiters cancelled before they registered.
            var cancelled: Set<Int> = []
            var nextWaiter = 0
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
                return Array(state.waiters.values)
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

    /// Waits until QEMU exits and returns its raw wait status; throws when it is still running after `timeout`
    /// (it keeps running; a QEMU that ignores SIGTERM does not make this wait past its deadline).
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        let waiter = exit.state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.exitStatus(waiter: waiter) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next()!
            // Cancelling ends the other child too: the exit wait gives up its place (see `exitStatus(waiter:)`), so
            // the group does not wait for an exit that may never come.
            group.cancelAll()
            return first
        }
        guard let status else { throw TestSupportError("QEMU (pid \(pid)) still running after \(timeout)") }
        return status
    }

    /// The raw wait status once QEMU has exited, or `nil` as soon as the calling task is cancelled.
    private func exitStatus(waiter: Int) async -> Int32? {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Int32?, Never>) in
                let ready = exit.state.withLock { state -> Int32?? in
                    if let status = state.status { return .some(status) }
                    if state.cancelled.remove(waiter) != nil { return .some(nil) }
                    state.waiters[waiter] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiting = exit.state.withLock { state in
                guard let continuation = state.waiters.removeValue(forKey: waiter) else {
                    if state.status == nil { state.cancelled.insert(waiter) }
                    return UnsafeContinuation<Int32?, Never>?.none
                }
                return continuation
            }
            waiting?.resume(returning: nil)
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
    // The dup2s run in order in the child, so a source whose number is an earlier pair's target (fd 5 handed over
    // as 9 while fd 6 becomes 5) would already be overwritten. Hand over copies numbered above every target instead
    // (close-on-exec, so only the dup2'd targets reach the program).
    let copies = descriptors.map { (source, target) in (fcntl(source, F_DUPFD_CLOEXEC, 64), target) }
    defer { for (copy, _) in copies where copy >= 0 { close(copy) } }
    if let bad = copies.firstIndex(where: { $0.0 < 0 }) {
        throw TestSupportError("cannot hand fd \(descriptors[bad].0) to \(argv[0]): \(String(cString: strerror(errno)))")
    }
    let result = spawnProcess(argv) { actions in
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        for (copy, target) in copies { posix_spawn_file_actions_adddup2(&actions, copy, target) }
    }
    switch result {
    case .success(let pid): return pid
    case .failure(let error):
        throw TestSupportError("cannot start \(argv[0]): \(error.message) (scripts/setup.sh installs what the tests need)")
    }
}
