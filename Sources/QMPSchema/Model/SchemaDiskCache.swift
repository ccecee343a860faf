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
/// The key is QEMU's version *and* package string from the greeting (`7.2.22 Debian 1:7.2+dfsg-7+deb12u...`): a
/// distribution's build gives the same schema each time. A QEMU with an empty package string (built from source,
/// configure options unknown) is never cached. A cached schema is only a fast path: when it finds a mistake, callers
/// check again against the live schema (``MonitorSession`` in MonitorShell does), so a stale file can delay an
/// error, never invent one.
///
/// Files are written atomically (temporary file + rename) with mode 0600 in a 0700 directory.
public struct SchemaDiskCache: Sendable {
    /// The folder holding the cached schemas.
    public var directory: String

    /// Creates a value from its members.
    public init(directory: String) {
        self.directory = directory
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

    /// The file name for the QEMU that sent `greeting`, or `nil` when it must not be cached (no package string).
    public func fileName(for greeting: QMPGreeting) -> String? {
        let version = greeting.version
        guard !version.package.isEmpty else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a of the package string: a safe, short file name
        for byte in version.package.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "qemu-\(version.major).\(version.minor).\(version.micro)-\(String(repeating: "0", count: 16 - hex.count) + hex).json"
    }

    /// The cached schema for this QEMU, if there is a readable one.
    public func load(for greeting: QMPGreeting) -> QAPISchema? {
        guard let name = fileName(for: greeting), let bytes = Self.readFile(directory + "/" + name),
              case .array(let entities)? = try? JSON(parsing: String(decoding: bytes, as: UTF8.self)), !entities.isEmpty
        else { return nil }
        return QAPISchema(entities: entities)
    }

    /// Stores the `query-qmp-schema` entities for this QEMU; failures are ignored (the cache is an optimisation).
    public func store(_ entities: [JSON], for greeting: QMPGreeting) {
        guard let name = fileName(for: greeting) else { return }
        var path = ""
        for component in directory.split(separator: "/") {
            path += "/" + component
            mkdir(path, 0o700)
        }
        let final = directory + "/" + name
        let temporary = final + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let ok = writeAll(fd, JSON.array(entities).serialized())
        close(fd)
        if !ok || rename(temporary, final) != 0 { unlink(temporary) }
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }
}

extension QAPISchema {
    /// Fetches the live schema and also returns its raw entities (for ``SchemaDiskCache/store(_:for:)``).
    public static func fetchEntities(from client: QMPClient, timeout: Duration? = nil) async throws -> (QAPISchema, [JSON]) {
        let reply = try await client.execute(QueryQMPSchema.name, timeout: timeout)
        guard let entities = reply.arrayValue else {
            throw SchemaDecodingError("the reply to \(QueryQMPSchema.name) is not an array of entities")
        }
        return (QAPISchema(entities: entities), entities)
    }
}
