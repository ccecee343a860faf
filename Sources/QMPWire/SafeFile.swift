#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way this package creates files it writes (transcripts, `.record` files, serial logs, history,
/// screenshots, the schema cache), safe in shared folders such as `/tmp`.
///
/// - A symbolic link is never followed (`O_NOFOLLOW`): writing through a link another user planted could overwrite
///   any file the caller can write.
/// - A new file is created with `O_EXCL` and `permissions` (0600 by default: monitor traffic and consoles can hold
///   secrets).
/// - An existing file is reused only if it is a regular file with one link, owned by the caller; its mode is then
///   narrowed to `permissions` (a 0666 file planted beforehand does not stay readable by others) before it is
///   truncated. Anything else is a ``SafeFileError`` that says what was found.
///
/// ```swift
/// let fd = try SafeFile.openForWriting("/tmp/session.jsonl")   // 0600, truncated
/// defer { close(fd) }
/// ```
public enum SafeFile {
    /// Opens `path` for writing (truncated, or appended to with `append`), creating it if needed. The caller owns
    /// the returned descriptor (close-on-exec).
    public static func openForWriting(_ path: String, permissions: UInt32 = 0o600, append: Bool = false)
        throws(SafeFileError) -> Int32
    {
        let flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : 0)
        var fd = retrying { open(path, flags | O_CREAT | O_EXCL, mode_t(permissions)) }
        if fd >= 0 {
            // A new file: ours, with the umask applied to `permissions` (which can only narrow it).
            return fd
        }
        guard errno == EEXIST else { throw SafeFileError(path: path, problem: Self.describe(errno: errno, path: path)) }
        // O_NONBLOCK: a FIFO planted in the file's place must not block the open.
        fd = retrying { open(path, flags | O_NONBLOCK) }
        guard fd >= 0 else { throw SafeFileError(path: path, problem: Self.describe(errno: errno, path: path)) }
        do throws(SafeFileError) {
            try checkOwnedRegularFile(fd, path: path)
            if fchmod(fd, mode_t(permissions)) != 0 || (!append && ftruncate(fd, 0) != 0) {
                throw SafeFileError(path: path, problem: String(cString: strerror(errno)))
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Writes `bytes` to `path` atomically: a new temporary file beside it (``openForWriting(_:permissions:append:)``
    /// rules), then `rename`. A symbolic link at `path` is replaced, never followed.
    public static func replaceContents(of path: String, with bytes: [UInt8], permissions: UInt32 = 0o600)
        throws(SafeFileError)
    {
        var random = SystemRandomNumberGenerator()
        let temporary = path + ".\(getpid())-\(String(random.next() & 0xffff_ffff, radix: 16)).tmp"
        let fd = try openForWriting(temporary, permissions: permissions)
        let written = bytes.withUnsafeBytes { writeAll(fd, $0) }
        close(fd)
        guard written, rename(temporary, path) == 0 else {
            let problem = String(cString: strerror(errno))
            unlink(temporary)
            throw SafeFileError(path: path, problem: problem)
        }
    }

    /// Opens `path` for reading only if it is a regular file owned by the caller that no one else can write (a
    /// cache or state file another user could have planted or changed is not trusted); `nil` otherwise.
    public static func openTrustedForReading(_ path: String) -> Int32? {
        let fd = retrying { open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) }
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
              info.st_mode & (S_IWGRP | S_IWOTH) == 0
        else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Reads a whole file opened by ``openTrustedForReading(_:)`` (and closes it); `nil` on a read error or past
    /// `limit` bytes.
    public static func readAll(_ fd: Int32, limit: Int = 64 << 20) -> [UInt8]? {
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            if bytes.count > limit { return nil }
        }
    }

    /// Whether a file is writable by users other than its owner (group or others), as a script file should not be.
    /// `nil` when it cannot be examined.
    public static func isWritableByOthers(_ path: String) -> Bool? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & (S_IWGRP | S_IWOTH) != 0
    }

    // MARK: - Helpers

    private static func checkOwnedRegularFile(_ fd: Int32, path: String) throws(SafeFileError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafeFileError(path: path, problem: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SafeFileError(path: path, problem: "it exists and is not a regular file")
        }
        guard info.st_uid == geteuid() else {
            throw SafeFileError(path: path, problem: "it exists and belongs to another user (uid \(info.st_uid))")
        }
        guard info.st_nlink == 1 else {
            throw SafeFileError(path: path, problem: "it has \(info.st_nlink) hard links (another name could be changed through it)")
        }
    }

    private static func describe(errno code: Int32, path: String) -> String {
        if code == ELOOP { return "it is a symbolic link (refusing to follow it)" }
        if code == ENXIO { return "it exists and is not a regular file (a FIFO or a device)" }
        return String(cString: strerror(code))
    }

    private static func retrying(_ body: () -> Int32) -> Int32 {
        while true {
            let result = body()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}

/// A file could not be created or opened safely (see ``SafeFile``).
public struct SafeFileError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What was wrong: `it is a symbolic link (refusing to follow it)`, `it exists and belongs to another user`.
    public var problem: String

    /// An error for `path`, saying what was wrong with it.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `cannot write /tmp/t.jsonl: it is a symbolic link (refusing to follow it)`.
    public var description: String { "cannot write \(path): \(problem)" }
}
