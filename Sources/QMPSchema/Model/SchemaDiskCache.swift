#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP
import QMPWire

/// `query-qmp-schema` replies kept on disk between runs, so a short script or a shell does not wait for QEMU to
/// build its schema (~17 ms of QEMU's time, more on a busy host) before it can validate the first command.
///
/// The key is what the QEMU *is*, not what it says: the program the serving process runs (device, inode, size and
/// modification time of `/proc/PID/exe`, with the PID from the kernel's `SO_PEERCRED`, see ``Executable``), together
/// with the version and package string of the greeting. A peer that announces the real QEMU's version (a fake
/// server, a proxy) runs another program, so it writes under another key and can never poison the file the real
/// QEMU reads; a QEMU that was upgraded in place has a new inode or mtime. A monitor whose program cannot be
/// identified (TCP, a process gone) and a QEMU with an empty package string are never cached. On a socket this
/// process listens on itself (a guest qmpkit boots, a libvirt bridge) the kernel names this process: the version and
/// package string then tell QEMU builds apart, and no other program can stand behind such a socket.
///
/// A cached schema is only a fast path: when it finds a mistake, callers check again against the live schema
/// (`MonitorSession` in MonitorShell does), so a stale file can delay an error, never invent one. A file that
/// does not load (not JSON, not a list of entities, not owned by the user, writable by others, a symbolic link) is
/// ignored and, when it is ours, deleted: never fatal.
///
/// Files are written atomically through `SafeFile` (temporary file + rename) with mode 0600 in a 0700 directory.
public struct SchemaDiskCache: Sendable {
    /// The folder holding the cached schemas.
    public var directory: String

    /// Creates a value from its members.
    public init(directory: String) {
        self.directory = directory
    }

    /// The identity of a program file: what ``SchemaDiskCache`` keys on.
    public struct Executable: Sendable, Hashable {
        /// The device holding the file (`st_dev`).
        public var device: UInt64
        /// The file's inode number: a new install of the same path gets a new one.
        public var inode: UInt64
        /// The file's size in bytes.
        public var size: Int64
        /// The file's modification time, seconds since the epoch.
        public var modified: Int64
        /// The nanoseconds of the modification time.
        public var modifiedNanoseconds: Int64

        /// The program `processID` runs (`/proc/PID/exe`); `nil` when it cannot be examined.
        public init?(processID: Int32) {
            self.init(path: "/proc/\(processID)/exe")
        }

        /// The file at `path` (symbolic links followed, as `/proc/PID/exe` needs); `nil` when it cannot be examined.
        public init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        }
    }

    /// `$QMPKIT_SCHEMA_CACHE` if set (`off` or `0` disables the cache), else `$XDG_CACHE_HOME/qmpkit/schema`,
    /// else `~/.cache/qmpkit/schema`; `nil` when disabled or no home is known.
    public static var standard: SchemaDiskCache? {
        func environment(_ name: String) -> String? {
            guard let value = getenv(name) else { return nil }
            let text = String(cString: value)
            return text.isEmpty ? nil : text
        }
        if let setting = environment("QMPKIT_SCHEMA_CACHE") {
            return setting == "off" || setting == "0" ? nil : SchemaDiskCache(directory: setting)
        }
        if let base = environment("XDG_CACHE_HOME") { return SchemaDiskCache(directory: base + "/qmpkit/schema") }
        if let home = environment("HOME") { return SchemaDiskCache(directory: home + "/.cache/qmpkit/schema") }
        return nil
    }

    /// The program behind `client`'s monitor, or `nil` when it cannot be identified (then nothing is cached).
    public static func executable(of client: QMPClient) -> Executable? {
        client.peerProcessID.flatMap { Executable(processID: $0) }
    }

    /// The file name for this QEMU program and greeting, or `nil` when it must not be cached (no package string).
    public func fileName(for greeting: QMPGreeting, executable: Executable) -> String? {
        let version = greeting.version
        guard !version.package.isEmpty else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: a safe, short file name (the key is not a secret)
        let key = "\(version.package)|\(executable.device)|\(executable.inode)|\(executable.size)|"
            + "\(executable.modified).\(executable.modifiedNanoseconds)"
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "qemu-\(version.major).\(version.minor).\(version.micro)-\(String(repeating: "0", count: 16 - hex.count) + hex).json"
    }

    /// The cached schema for this QEMU, if there is a good one; a bad file of ours is deleted.
    public func load(for greeting: QMPGreeting, executable: Executable?) -> QAPISchema? {
        guard let executable, let name = fileName(for: greeting, executable: executable) else { return nil }
        let path = directory + "/" + name
        guard let fd = SafeFile.openTrustedForReading(path) else { return nil }
        close(fd)
        guard let entities = Self.readEntities(path) else {
            unlink(path)
            return nil
        }
        return QAPISchema(entities: entities)
    }

    /// Stores the `query-qmp-schema` entities for this QEMU; failures are ignored (the cache is an optimisation).
    public func store(_ entities: [JSON], for greeting: QMPGreeting, executable: Executable?) {
        guard let executable, let name = fileName(for: greeting, executable: executable) else { return }
        var path = ""
        for component in directory.split(separator: "/") {
            path += "/" + component
            mkdir(path, 0o700)
        }
        try? SafeFile.replaceContents(of: directory + "/" + name, with: Array(JSON.array(entities).serialized().utf8))
    }
}

extension QAPISchema {
    /// Fetches the live schema and also returns its raw entities (for ``SchemaDiskCache/store(_:for:executable:)``).
    public static func fetchEntities(from client: QMPClient, timeout: Duration? = nil) async throws -> (QAPISchema, [JSON]) {
        let reply = try await client.execute(QueryQMPSchema.name, timeout: timeout)
        guard let entities = reply.arrayValue else {
            throw SchemaDecodingError("the reply to \(QueryQMPSchema.name) is not an array of entities")
        }
        return (QAPISchema(entities: entities), entities)
    }
}
