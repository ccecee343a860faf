#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QMP
import QMPWire
import Synchronization

/// What ``GuestDirectory/list()`` knows about a guest this package runs (from the `guest.json` QEMU's launcher
/// wrote into its runtime directory).
public struct GuestRecord: Sendable, Codable, Equatable {
    /// The guest's `--name`, if it has one.
    public var name: String?
    /// QEMU's process id.
    public var pid: Int
    /// The QMP monitor other clients may use.
    public var monitor: String
    /// The serial console socket (detached guests), if any.
    public var console: String?
    /// When QEMU started, in seconds since 1970.
    public var started: Double
    /// The runtime directory.
    public var directory: String

    /// A record with these fields, as the launcher writes it.
    public init(name: String?, pid: Int, monitor: String, console: String?, started: Double, directory: String) {
        self.name = name
        self.pid = pid
        self.monitor = monitor
        self.console = console
        self.started = started
        self.directory = directory
    }

    /// Seconds since QEMU started.
    public var uptime: Double { max(0, GuestDirectory.now() - started) }
}

/// The runtime directories of the guests this package boots: one private (0700) directory per guest under
/// ``base`` (`$XDG_RUNTIME_DIR/qmpsh`, or `/tmp/qmpsh-UID` without one), and for a guest with a name a link
/// `base/NAME`, so its monitor has a stable path (`base/NAME/monitor.sock`).
///
/// Each directory holds a `lock` file that QEMU itself keeps locked (`flock`) for as long as it runs: a directory
/// whose lock can be taken belongs to a QEMU that is gone, and ``sweep()`` removes it. A small watcher
/// (`flock LOCK rm -r DIR`, in a session of its own) removes a guest's directory as soon as its QEMU ends, however
/// the launching process ended.
public enum GuestDirectory {
    /// The folder that holds the guests' directories.
    public static var base: String {
        if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), !runtime.isEmpty,
            runtime.utf8.count < 48, access(runtime, W_OK) == 0
        {
            return runtime + "/qmpsh"
        }
        return "/tmp/qmpsh-\(getuid())"
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Creates ``base`` (0700) if needed and checks that it is this user's own and private.
    static func ensureBase() throws(RunnerError) -> String {
        let base = base
        if mkdir(base, 0o700) != 0 && errno != EEXIST {
            throw RunnerError(.io, "cannot create \(base): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(base, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
            info.st_mode & 0o077 == 0
        else {
            throw RunnerError(.io, "\(base) is not a private directory of this user (mode 0700): remove it")
        }
        return base
    }

    /// A new guest directory, locked by the caller (the returned descriptor, which QEMU inherits); for a named
    /// guest also the link `base/NAME`. Refuses a name a running guest has.
    static func create(name: String?) throws(RunnerError) -> (directory: RuntimeDirectory, lock: Int32, link: String?) {
        let base = try ensureBase()
        sweep()
        var link: String?
        if let name {
            let path = base + "/" + name
            if let record = read(path), isRunning(record.directory) {
                throw RunnerError(
                    .invalidConfiguration,
                    "a guest named '\(name)' is already running (pid \(record.pid), monitor \(record.monitor)): stop it with `qmpsh stop \(name)` or choose another --name")
            }
            link = path
        }
        var template = Array("\(base)/.g-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw RunnerError(.io, "cannot create a runtime directory in \(base): \(String(cString: strerror(errno)))")
        }
        let directory = RuntimeDirectory(path: String(cString: result))
        let lock = open(directory.file("lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            directory.remove()
            throw RunnerError(.io, "cannot lock \(directory.file("lock")): \(String(cString: strerror(errno)))")
        }
        if let link {
            // Replace a stale link atomically: a new link beside it, renamed over it.
            let temporary = directory.path + ".link"
            let target = String(directory.path.dropFirst(base.count + 1))
            guard symlink(target, temporary) == 0, rename(temporary, link) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                close(lock)
                directory.remove()
                throw RunnerError(.io, "cannot create \(link): \(reason)")
            }
        }
        return (directory, lock, link)
    }

    /// Starts the watcher that removes `directory` (and `link`, if it still points there) once nobody holds its
    /// lock, that is once QEMU has ended.
    static func watch(_ directory: RuntimeDirectory, link: String?) {
        let script = #"rm -rf -- "$1"; if [ -n "$2" ] && [ "$(readlink -- "$2")" = "$3" ]; then rm -f -- "$2"; fi"#
        let target = String(directory.path.split(separator: "/").last ?? "")
        _ = try? Subprocess.launch(
            ["flock", directory.file("lock"), "sh", "-c", script, "sh", directory.path, link ?? "", target],
            newSession: true)
    }

    /// Whether the QEMU of the guest directory `path` still runs (it holds the directory's lock).
    public static func isRunning(_ path: String) -> Bool {
        let fd = open(path + "/lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    /// Removes the directories (and name links) of guests whose QEMU is gone; returns the directories removed.
    @discardableResult
    public static func sweep() -> [String] {
        let base = base
        var removed: [String] = []
        for entry in entries(base) {
            let path = base + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                var target = stat()
                if stat(path, &target) != 0 { unlink(path) }  // a name whose guest directory is gone
            } else if entry.hasPrefix(".g-"), (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
                access(path + "/lock", F_OK) == 0, !isRunning(path)
            {
                RuntimeDirectory(path: path).remove()
                removed.append(path)
            }
        }
        if !removed.isEmpty {
            for entry in entries(base) {
                var target = stat()
                if stat(base + "/" + entry, &target) != 0 { unlink(base + "/" + entry) }
            }
        }
        return removed
    }

    /// The running guests, oldest first (stale directories are swept first).
    public static func list() -> [GuestRecord] {
        sweep()
        let base = base
        return entries(base).filter { $0.hasPrefix(".g-") }.compactMap { read(base + "/" + $0) }
            .filter { isRunning($0.directory) }
            .sorted { $0.started < $1.started }
    }

    /// The running guest with this name, if any.
    public static func find(name: String) -> GuestRecord? {
        guard !name.isEmpty, !name.contains("/"), let record = read(base + "/" + name), isRunning(record.directory) else {
            return nil
        }
        return record
    }

    static func read(_ directory: String) -> GuestRecord? {
        guard let text = readTextFile(directory + "/guest.json"), let json = try? JSON(parsing: text) else { return nil }
        return try? JSONValueDecoder().decode(GuestRecord.self, from: json)
    }

    /// Writes `guest.json` (0600, replaced atomically).
    static func writeRecord(_ record: GuestRecord) {
        guard let json = try? JSONValueEncoder().encode(record) else { return }
        let path = record.directory + "/guest.json"
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        let bytes = Array(json.serialized().utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written == bytes.count { rename(temporary, path) } else { unlink(temporary) }
    }

    private static func entries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

extension GuestDirectory {
    /// Removes the name link `link` if it still points to `directory` (a newer guest may have taken the name).
    static func unlinkName(_ link: String, pointingTo directory: RuntimeDirectory) {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(link, &buffer, buffer.count - 1)
        guard count > 0 else { return }
        let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if directory.path.hasSuffix("/" + target) { unlink(link) }
    }
}

extension GuestDirectory {
    /// Waits until the QEMU of `record` has ended (its directory's lock is free), or `timeout` passes; returns
    /// whether it ended. For a guest this process did not start (no `waitpid`): a thread blocks on the lock.
    public static func waitForEnd(_ record: GuestRecord, timeout: Duration) async -> Bool {
        let fd = open(record.directory + "/lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        let result = Mutex<(UnsafeContinuation<Bool, Never>?, Bool?)>((nil, nil))
        let finish: @Sendable (Bool) -> Void = { ended in
            let continuation = result.withLock { state -> UnsafeContinuation<Bool, Never>? in
                guard state.1 == nil else { return nil }
                state.1 = ended
                defer { state.0 = nil }
                return state.0
            }
            continuation?.resume(returning: ended)
        }
        startThread {
            while flock(fd, LOCK_SH) != 0 && errno == EINTR {}
            close(fd)
            finish(true)
        }
        let timer = DeadlineScheduler.shared.schedule(after: timeout) { finish(false) }
        defer { DeadlineScheduler.shared.cancel(timer) }
        return await withUnsafeContinuation { continuation in
            let done = result.withLock { state -> Bool? in
                if state.1 == nil { state.0 = continuation }
                return state.1
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
