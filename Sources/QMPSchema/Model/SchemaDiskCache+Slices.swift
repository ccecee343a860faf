#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMPWire

/// What checking a script needs from a schema: the commands it sends and the events it waits for.
public struct SchemaNeeds: Sendable, Hashable {
    /// Command names (wire names, e.g. `query-status`).
    public var commands: Set<String>
    /// Event names (e.g. `DEVICE_DELETED`).
    public var events: Set<String>

    /// Needs for these commands and events.
    public init(commands: Set<String> = [], events: Set<String> = []) {
        self.commands = commands
        self.events = events
    }
}

extension QAPISchema {
    /// The entities of a `query-qmp-schema` reply that checking `needs` touches: each needed command and event that
    /// the schema has, and every type they reach (argument, return and data types, their members, variants, array
    /// elements and alternate branches), in the reply's order. A schema built from them checks those commands as the
    /// whole schema does; other commands are unknown to it.
    public static func entities(_ entities: [JSON], reaching needs: SchemaNeeds) -> [JSON] {
        var index: [String: Int] = [:]
        index.reserveCapacity(entities.count)
        var roots: [Int] = []
        for (position, entity) in entities.enumerated() {
            guard let name = entity["name"]?.stringValue else { continue }
            if index[name] == nil { index[name] = position }
            switch entity["meta-type"]?.stringValue {
            case "command" where needs.commands.contains(name): roots.append(position)
            case "event" where needs.events.contains(name): roots.append(position)
            default: break
            }
        }
        var taken = Set(roots)
        var pending = roots
        func reach(_ name: String?) {
            guard let name, let position = index[name], taken.insert(position).inserted else { return }
            pending.append(position)
        }
        while let position = pending.popLast() {
            let entity = entities[position]
            for key in ["arg-type", "ret-type", "element-type"] { reach(entity[key]?.stringValue) }
            for key in ["members", "variants"] {
                for item in entity[key]?.arrayValue ?? [] { reach(item["type"]?.stringValue) }
            }
        }
        return taken.sorted().map { entities[$0] }
    }
}

extension SchemaDiskCache {
    /// A schema with only what checking `needs` takes (``QAPISchema/entities(_:reaching:)``), from a small file
    /// written by ``loadWritingSlice(for:executable:needs:)`` on an earlier run; `nil` when there is none for the
    /// current cached schema of this QEMU.
    ///
    /// A 2 000-line script of one command read the whole cached schema (~190 KB of JSON, about 33 million
    /// instructions to parse and build) to check that one command (issue 14, session 6). A slice belongs to the
    /// cached file it was cut from: its name includes that file's inode, size and modification time, so a file
    /// that is refreshed or replaced leaves its slices unused. Like the cache itself a slice is a fast path only
    /// (a mistake it finds is to be confirmed against the live schema).
    public func loadSlice(for greeting: QMPGreeting, executable: Executable?, needs: SchemaNeeds) -> QAPISchema? {
        guard let path = slicePath(for: greeting, executable: executable, needs: needs),
              let entities = Self.readEntities(path)
        else { return nil }
        return QAPISchema(entities: entities)
    }

    /// The cached schema for this QEMU (as ``load(for:executable:)``), after writing the slice that `needs` takes
    /// from it for the next run (``loadSlice(for:executable:needs:)``); `nil` when nothing good is cached.
    public func loadWritingSlice(for greeting: QMPGreeting, executable: Executable?, needs: SchemaNeeds) -> QAPISchema? {
        guard let executable, let name = fileName(for: greeting, executable: executable) else { return nil }
        guard let entities = Self.readEntities(directory + "/" + name) else {
            unlink(directory + "/" + name)
            return nil
        }
        if let path = slicePath(for: greeting, executable: executable, needs: needs) {
            let folder = directory + "/" + Self.slicesFolder
            mkdir(folder, 0o700)
            Self.pruneSlices(in: folder)
            let slice = QAPISchema.entities(entities, reaching: needs)
            try? SafeFile.replaceContents(of: path, with: Array(JSON.array(slice).serialized().utf8))
        }
        return QAPISchema(entities: entities)
    }

    /// Where slices are kept, inside ``directory``.
    static let slicesFolder = "slices"
    /// Past this many slices, the folder is emptied before another is written (they are cheap to cut again).
    static let maximumSlices = 256

    /// The slice file for `needs` of the cached schema file as it is now; `nil` when that file is not there.
    func slicePath(for greeting: QMPGreeting, executable: Executable?, needs: SchemaNeeds) -> String? {
        guard let executable, let name = fileName(for: greeting, executable: executable) else { return nil }
        var info = stat()
        guard stat(directory + "/" + name, &info) == 0 else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, as the file names of the cache
        func add(_ text: String) {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0x1f) &* 0x100_0000_01b3  // a separator no name contains
        }
        add("\(name)|\(info.st_ino)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
        for command in needs.commands.sorted() { add("c:" + command) }
        for event in needs.events.sorted() { add("e:" + event) }
        let hex = String(hash, radix: 16)
        let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        return directory + "/" + Self.slicesFolder + "/" + stem + "-" + String(repeating: "0", count: 16 - hex.count) + hex + ".json"
    }

    /// The entities of a cache or slice file we trust, or `nil` (a bad file is left for the caller to delete).
    static func readEntities(_ path: String) -> [JSON]? {
        guard let fd = SafeFile.openTrustedForReading(path), let bytes = SafeFile.readAll(fd),
              case .array(let entities)? = try? JSON(parsing: String(decoding: bytes, as: UTF8.self)), !entities.isEmpty,
              entities.allSatisfy({ $0["name"]?.stringValue != nil && $0["meta-type"]?.stringValue != nil })
        else { return nil }
        return entities
    }

    /// Empties `folder` of slices once it holds ``maximumSlices`` of them.
    static func pruneSlices(in folder: String) {
        guard let handle = opendir(folder) else { return }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix("qemu-"), name.hasSuffix(".json") { names.append(name) }
        }
        closedir(handle)
        guard names.count >= maximumSlices else { return }
        for name in names { unlink(folder + "/" + name) }
    }
}
