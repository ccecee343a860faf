#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QMP
import Synchronization

/// How a process ended: a non-zero exit is a normal result, not a thrown error.
public enum Termination: Sendable, Hashable, CustomStringConvertible {
    /// The process called `exit` with this status (0 to 255).
    case exited(Int32)
    /// A signal ended the process (its number, e.g. 9 for SIGKILL).
    case signaled(Int32)

    init(waitStatus raw: Int32) {
        self = (raw & 0x7f) == 0 ? .exited((raw >> 8) & 0xff) : .signaled(raw & 0x7f)
    }

    /// True only for exit status 0.
    public var isSuccess: Bool { self == .exited(0) }

    /// `exit status N` or `signal N`.
    public var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "signal \(signal)"
        }
    }
}

/// A process started by this library (QEMU, qemu-img), never through a shell.
///
/// Descriptors of this process can be handed to the child under chosen numbers (`inheriting`), e.g. one end of a
/// socketpair as QEMU's monitor. With `dieWithParent`, the child gets SIGKILL when this process dies (Linux
/// `PR_SET_PDEATHSIG`, set by util-linux `setpriv` before it execs the program), so a killed test or tool never
/// leaves a QEMU behind. The process is spawned from, and waited for on, a thread of its own that lives as long as
/// the child (the parent-death signal is tied to the spawning thread). With `newSession` the child runs in a
/// session (and process group) of its own: the terminal's Ctrl-C, Ctrl-Z and hang-up reach this process only.
public final class Subprocess: Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        /// `/dev/null`: nothing to read, and output discarded.
        case null
        /// A file, created (mode 0600) or truncated for output, read for input.
        case file(String)
        /// A descriptor of this process.
        case descriptor(Int32)
    }

    /// The child's process id.
    public let pid: Int32
    /// The program as it was given (`arguments[0]`: a path, or a name looked up in `PATH`).
    public let executable: String
    private let state = Mutex<ExitState>(ExitState())

    private struct ExitState {
        var termination: Termination?
        var waiters: [Int: UnsafeContinuation<Termination?, Never>] = [:]
        var nextWaiter = 0
        var expired: Set<Int> = []
    }

    private init(pid: Int32, executable: String) {
        self.pid = pid
        self.executable = executable
    }

    /// Starts `arguments[0]` (looked up in `PATH`) with the rest as its arguments.
    public static func launch(
        _ arguments: [String], stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null,
        inheriting descriptors: [(Int32, Int32)] = [], dieWithParent: Bool = false, newSession: Bool = false
    ) throws(RunnerError) -> Subprocess {
        guard let executable = arguments.first else { throw RunnerError(.invalidConfiguration, "no program to run") }
        guard let resolved = findExecutable(executable) else {
            throw RunnerError(.notFound, "cannot start \(executable): not found (scripts/setup.sh installs QEMU and qemu-img)")
        }
        let wrapper = dieWithParent ? findExecutable("setpriv") : nil
        let argv = wrapper.map { [$0, "--pdeathsig", "KILL", "--", resolved] + arguments.dropFirst() } ?? arguments
        // Spawn on a dedicated thread that then waits for the child: it outlives the child, so the
        // parent-death signal (tied to the spawning thread) fires only when this whole process dies.
        let process = LaunchHandoff()
        startThread {
            let result = spawn(
                argv, stdin: stdin, stdout: stdout, stderr: stderr, descriptors: descriptors, newSession: newSession)
            switch result {
            case .failure(let error):
                process.set(.failure(error))
            case .success(let pid):
                let subprocess = Subprocess(pid: pid, executable: executable)
                process.set(.success(subprocess))
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                subprocess.finish(Termination(waitStatus: raw))
            }
        }
        return try process.get().get()
    }

    private func finish(_ termination: Termination) {
        let waiters = state.withLock { state in
            state.termination = termination
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters.values { waiter.resume(returning: termination) }
    }

    /// How the process ended, or `nil` while it runs.
    public var termination: Termination? { state.withLock { $0.termination } }

    /// Waits until the process ends.
    public func wait() async -> Termination {
        await wait(timeout: nil)!
    }

    /// Waits until the process ends or `timeout` passes (then `nil`); the process is left running.
    public func wait(timeout: Duration?) async -> Termination? {
        let token = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        let timer = timeout.map { timeout in
            DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
                self?.giveUp(token)
            }
        }
        defer { timer.map(DeadlineScheduler.shared.cancel) }
        return await withUnsafeContinuation { continuation in
            let done = state.withLock { state -> Termination?? in
                if let termination = state.termination { return .some(termination) }
                if state.expired.remove(token) != nil { return .some(nil) }
                state.waiters[token] = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    private func giveUp(_ token: Int) {
        let waiter = state.withLock { state -> UnsafeContinuation<Termination?, Never>? in
            // A time-out before the waiter registered: leave a marker so it returns at once.
            guard let waiter = state.waiters.removeValue(forKey: token) else {
                state.expired.insert(token)
                return nil
            }
            return waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Sends `signal` while the process runs.
    public func signal(_ signal: Int32) {
        if termination == nil { kill(pid, signal) }
    }

    /// Runs a program to completion and returns what it printed (for short-lived tools such as qemu-img).
    public static func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> (
        termination: Termination, standardOutput: String, standardError: String
    ) {
        let directory = try RuntimeDirectory.create(prefix: "qmpkit-run")
        defer { directory.remove() }
        let out = directory.path + "/stdout"
        let err = directory.path + "/stderr"
        let process = try launch(arguments, stdout: .file(out), stderr: .file(err))
        guard let termination = await process.wait(timeout: timeout) else {
            process.signal(SIGKILL)
            _ = await process.wait()
            throw RunnerError(.timedOut, "\(arguments[0]) did not finish within \(timeout)")
        }
        return (termination, readTextFile(out) ?? "", readTextFile(err) ?? "")
    }
}

/// Hands the spawn result from the spawning thread to the caller, which blocks for the moment `posix_spawn` takes.
///
/// `@unchecked Sendable`: `result` is written and read only while holding the pthread mutex.
private final class LaunchHandoff: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var result: Result<Subprocess, RunnerError>?

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func set(_ value: Result<Subprocess, RunnerError>) {
        pthread_mutex_lock(mutex)
        result = value
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    func get() -> Result<Subprocess, RunnerError> {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while result == nil { pthread_cond_wait(condition, mutex) }
        return result!
    }
}

private func spawn(
    _ argv: [String], stdin: Subprocess.Stream, stdout: Subprocess.Stream, stderr: Subprocess.Stream,
    descriptors: [(Int32, Int32)], newSession: Bool
) -> Result<Int32, RunnerError> {
    // The dup2s run in order in the child: a source whose number is another pair's target (fd 5 handed over as 6
    // while something else becomes 5) would be overwritten first. Hand over copies above every target instead.
    let safeDescriptors = descriptors.map { (source, target) in (fcntl(source, F_DUPFD_CLOEXEC, 64), target) }
    let result = spawnProcess(argv, newSession: newSession) { actions in
        for (target, stream, input) in [(Int32(0), stdin, true), (1, stdout, false), (2, stderr, false)] {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", input ? O_RDONLY : O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, input ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        for (source, target) in safeDescriptors { posix_spawn_file_actions_adddup2(&actions, source, target) }
    }
    for (copy, _) in safeDescriptors { close(copy) }
    return result.mapError { RunnerError(.notFound, "cannot start \(argv[0]): \($0.message)") }
}

/// The path of `name`: itself when it contains a slash, else the first executable match in `PATH`.
public func findExecutable(_ name: String) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// The whole file at `path` as UTF-8, or `nil` when it cannot be read.
public func readTextFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}
