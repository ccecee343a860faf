#if canImport(Glibc)
package import Glibc
#elseif canImport(Darwin)
package import Darwin
#endif

/// Starts `argv` (looked up in `PATH`), never through a shell, the way a shell would: the child starts with no
/// blocked signals and the default action for the signals that end or stop a process. Without that it inherits the
/// spawning thread's mask — Dispatch, Swift concurrency and test-runner threads block nearly every signal — and a
/// QEMU or daemon started from there ignores SIGTERM.
///
/// `fileActions` sets up the child's descriptors; `environment` replaces the environment (default: this
/// process's); `newSession` puts the child in a session of its own (for a program on a pty).
/// Returns the pid, or the `errno` of `posix_spawnp`.
package func spawnProcess(
    _ argv: [String], environment: [String]? = nil, newSession: Bool = false,
    fileActions: (inout posix_spawn_file_actions_t) -> Void
) -> Result<pid_t, SpawnError> {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    fileActions(&actions)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    // 0x80 is POSIX_SPAWN_SETSID (glibc 2.26; not visible to Swift without _GNU_SOURCE).
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | (newSession ? 0x80 : 0))
    var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    var cEnvironment: [UnsafeMutablePointer<CChar>?] = (environment ?? []).map { strdup($0) } + [nil]
    defer { for pointer in cArguments + cEnvironment { free(pointer) } }
    var pid: pid_t = 0
    let result = environment == nil
        ? posix_spawnp(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        : posix_spawnp(&pid, argv[0], &actions, &attributes, &cArguments, &cEnvironment)
    return result == 0 ? .success(pid) : .failure(SpawnError(code: result))
}

/// `posix_spawnp` failed.
package struct SpawnError: Error, Sendable {
    /// The `errno` value.
    package var code: Int32
    /// `strerror` of ``code``.
    package var message: String { String(cString: strerror(code)) }
}
