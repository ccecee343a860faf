import QMP

/// The candidates for the word under the cursor.
public struct Completion: Sendable, Hashable {
    /// The end of the line that each candidate replaces (the partial word before the cursor; empty after a space).
    public var word: String
    /// Whole replacements for ``word``, sorted. One ending in `=` or `.` is a prefix to type on from (a key, or a
    /// key into a nested object); the others are complete words, after which a space goes.
    public var candidates: [String]

    /// Creates a value from its members.
    public init(word: String, candidates: [String]) {
        self.word = word
        self.candidates = candidates
    }

    /// The longest text all candidates start with (what a Tab inserts when there are several).
    public var commonPrefix: String {
        guard let first = candidates.first else { return word }
        var prefix = Substring(first)
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(prefix) { prefix = prefix.dropLast() }
        }
        return String(prefix)
    }
}

/// Completion candidates from the schema, for lines in the input syntax (see `MonitorInput`). Pure: no terminal,
/// no I/O. Live values (device ids, node names, ...) come from a ``LiveValueProvider``; ``LiveValues`` fetches
/// them from a client.
///
/// Completes: command names; argument keys of the command, dotted keys into nested objects (`file.` then
/// `file.driver=`; a union's variant members once its tag is on the line, e.g. `file.filename=` after
/// `file.driver=file`), `device_add` properties of the driver on the line; enumeration values, `true`/`false`,
/// and live values for the arguments ``LiveValueTable`` lists; after `hmp ` or `!`, HMP command names and `info`
/// subcommands. Deprecated arguments and values are not offered. A raw `{"execute": ...}` line and a word inside
/// quotes get no candidates.
///
/// ```swift
/// let completer = SchemaCompleter(schema: schema)
/// completer.completions(forLineBeforeCursor: "blockdev-change-medium read-only-mode=re")
/// // ["read-only-mode=read-only", "read-only-mode=read-write", "read-only-mode=retain"]
/// ```
public struct SchemaCompleter: Sendable {
    /// The schema completions come from.
    public var schema: QAPISchema
    /// Which arguments take values from the monitor.
    public var table: LiveValueTable

    /// Creates a value from its members.
    public init(schema: QAPISchema, table: LiveValueTable = .standard) {
        self.schema = schema
        self.table = table
    }

    /// The candidates for the word under the cursor, given the text before it.
    public func complete(lineBeforeCursor line: String, live: (any LiveValueProvider)? = nil) -> Completion {
        let session = CompletionSession(completer: self, live: live)
        return session.complete(line)
    }

    /// The candidates only (see ``complete(lineBeforeCursor:live:)``).
    public func completions(forLineBeforeCursor line: String, live: (any LiveValueProvider)? = nil) -> [String] {
        complete(lineBeforeCursor: line, live: live).candidates
    }

    /// The live values completing this line would read: fetch them (``LiveValues/snapshot(_:)``) and call
    /// ``complete(lineBeforeCursor:live:)`` again with them.
    public func liveQueries(forLineBeforeCursor line: String) -> [LiveValueQuery] {
        let recorder = QueryRecorder()
        let session = CompletionSession(completer: self, live: recorder)
        _ = session.complete(line)
        return recorder.queries
    }

    /// Candidates for a line that is all HMP (a REPL started with `--hmp`): command names, then `info` subcommands.
    public static func completeHMP(lineBeforeCursor line: String, live: (any LiveValueProvider)?) -> Completion {
        hmpCompletion(Substring(line), live: live)
    }

    static func hmpCompletion(_ text: Substring, live: (any LiveValueProvider)?) -> Completion {
        let line = CompletionLine(text)
        let word = String(line.current)
        if line.currentIsQuoted { return Completion(word: word, candidates: []) }
        let queries = hmpQueries(words: line.words.map(String.init))
        var values: [String] = []
        for query in queries {
            for value in live?.values(for: query) ?? [] where !values.contains(value) { values.append(value) }
        }
        return Completion(word: word, candidates: values.filter { $0.hasPrefix(word) }.sorted())
    }

    /// The HMP commands whose first argument names a drive, device or network backend, and where the names come
    /// from (`eject -f DEVICE` too).
    public static let hmpArgumentQueries: [String: [LiveValueQuery]] = [
        "change": [.blockBackendNames, .removableBlockDeviceIDs],
        "eject": [.blockBackendNames, .removableBlockDeviceIDs],
        "device_del": [.deviceIDs],
        "drive_del": [.blockBackendNames],
        "netdev_del": [.netdevIDs],
    ]

    /// The live values an HMP line completes from, given the words before the one being typed: command names,
    /// `info` subcommands, or the names ``hmpArgumentQueries`` lists.
    public static func hmpQueries(lineBeforeCursor line: String) -> [LiveValueQuery] {
        hmpQueries(words: CompletionLine(Substring(line)).words.map(String.init))
    }

    static func hmpQueries(words: [String]) -> [LiveValueQuery] {
        guard let command = words.first else { return [.hmpCommands] }
        if words.count == 1 && command == "info" { return [.hmpInfoCommands] }
        let arguments = words.dropFirst().filter { !(command == "eject" && $0 == "-f") }
        guard arguments.isEmpty else { return [] }
        return hmpArgumentQueries[command] ?? []
    }
}

/// Records the queries a completion asks for.
private final class QueryRecorder: LiveValueProvider {
    var queries: [LiveValueQuery] = []

    func values(for query: LiveValueQuery) -> [String]? {
        if !queries.contains(query) { queries.append(query) }
        return nil
    }
}

/// One completion: the line's parts and the schema lookups on them.
private struct CompletionSession {
    let completer: SchemaCompleter
    let live: (any LiveValueProvider)?
    var schema: QAPISchema { completer.schema }

    init(completer: SchemaCompleter, live: (any LiveValueProvider)?) {
        self.completer = completer
        self.live = live
    }

    func complete(_ text: String) -> Completion {
        var rest = Substring(text)
        while rest.first?.isWhitespace == true { rest = rest.dropFirst() }
        if rest.first == "{" || rest.first == "#" { return Completion(word: "", candidates: []) }
        if rest.first == "!" { return SchemaCompleter.hmpCompletion(rest.dropFirst(), live: live) }
        let line = CompletionLine(rest)
        let word = String(line.current)
        guard let commandWord = line.words.first else {
            // The command name itself.
            if line.currentIsQuoted { return Completion(word: word, candidates: []) }
            return Completion(word: word, candidates: schema.commandNames.filter { $0.hasPrefix(word) })
        }
        if commandWord == "hmp" {
            return SchemaCompleter.hmpCompletion(rest[commandWord.endIndex...].drop { $0.isWhitespace }, live: live)
        }
        guard !line.currentIsQuoted, let command = schema.command(named: String(commandWord)) else {
            return Completion(word: word, candidates: [])
        }
        let given = Self.arguments(line.words.dropFirst())
        let candidates: [String]
        if let equals = word.firstIndex(of: "=") {
            candidates = valueCandidates(
                command: command, key: String(word[..<equals]), prefix: String(word[word.index(after: equals)...]),
                given: given)
        } else {
            candidates = keyCandidates(command: command, partial: word, given: given)
        }
        return Completion(word: word, candidates: candidates)
    }

    /// The arguments already on the line; words that do not parse (or clash) are skipped.
    static func arguments(_ words: ArraySlice<Substring>) -> JSONObject {
        var accepted: [String] = []
        var result = JSONObject()
        for word in words {
            let attempt = accepted + [String(word)]
            if let parsed = try? KeyValueArguments.parse(attempt) {
                accepted = attempt
                result = parsed
            }
        }
        return result
    }

    // MARK: - Keys

    private func keyCandidates(command: SchemaCommand, partial: String, given: JSONObject) -> [String] {
        var components = partial.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let last = components.removeLast()
        guard let found = membersAt(components, command: command, given: given) else { return [] }
        let (members, object) = found
        let prefix = components.isEmpty ? "" : components.joined(separator: ".") + "."
        var candidates: [String] = []
        for member in members where !member.isDeprecated && member.name.hasPrefix(last) {
            let shape = shapeOf(member.type)
            if let value = object[member.name] {
                if case .object = value, shape.object { candidates.append(prefix + member.name + ".") }
                continue
            }
            if shape.object { candidates.append(prefix + member.name + ".") }
            if shape.scalar { candidates.append(prefix + member.name + "=") }
        }
        if command.name == "device_add", components.isEmpty, let driver = given["driver"]?.stringValue,
            let properties = live?.values(for: .deviceProperties(driver: driver))
        {
            for property in properties
            where property.hasPrefix(last) && object[property] == nil && !members.contains(where: { $0.name == property }) {
                candidates.append(property + "=")
            }
        }
        return Array(Set(candidates)).sorted()
    }

    /// The members (the variant's included, as far as the line decides it) of the object at `path` of the
    /// command's arguments, and what the line gives for it.
    private func membersAt(_ path: [String], command: SchemaCommand, given: JSONObject) -> ([SchemaMember], JSONObject)? {
        var reference = command.argumentType
        var object = given
        var members: [SchemaMember] = []
        guard objectShape(reference, given: object, into: &members) else { return nil }
        for component in path {
            guard let member = members.first(where: { $0.name == component }) else { return nil }
            reference = member.type
            object = object[component]?.objectValue ?? [:]
            members = []
            guard objectShape(reference, given: object, into: &members) else { return nil }
        }
        return (members, object)
    }

    /// Collects the members of the object type `reference` (through alternates to their object branch), with the
    /// variant that `given`'s tag selects; false when the type takes no object.
    private func objectShape(_ reference: SchemaTypeRef, given: JSONObject, into members: inout [SchemaMember]) -> Bool {
        switch schema[reference].kind {
        case .object(let object):
            // The variant each tag of `given` selects, nested unions included.
            members += schema.shape(of: object, given: given).members
            return true
        case .alternate:
            for branch in schema.alternateBranches(of: reference) where shapeOf(branch).object {
                return objectShape(branch, given: given, into: &members)
            }
            return false
        default:
            return false
        }
    }

    /// Whether a type takes an object (complete with `key.`) and whether it takes a scalar or array (`key=`).
    private func shapeOf(_ reference: SchemaTypeRef) -> (object: Bool, scalar: Bool) {
        switch schema[reference].kind {
        case .object: return (true, false)
        case .alternate:
            // Flattened branches are never alternates: this does not recurse past one level.
            var result = (object: false, scalar: false)
            for branch in schema.alternateBranches(of: reference) {
                let shape = shapeOf(branch)
                result.object = result.object || shape.object
                result.scalar = result.scalar || shape.scalar
            }
            return result
        case .unknown: return (false, true)
        default: return (false, true)
        }
    }

    // MARK: - Values

    private func valueCandidates(command: SchemaCommand, key: String, prefix: String, given: JSONObject) -> [String] {
        var components = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let name = components.removeLast()
        var values: [String] = []
        if let members = membersAt(components, command: command, given: given)?.0,
            let member = members.first(where: { $0.name == name })
        {
            values += staticValues(member.type, depth: 0)
        }
        for query in completer.table.queries(command: command.name, path: key) {
            values += live?.values(for: query) ?? []
        }
        var seen = Set<String>()
        return values.filter { $0.hasPrefix(prefix) && seen.insert($0).inserted }.sorted().map { key + "=" + $0 }
    }

    /// Enumeration values (deprecated ones left out) and booleans a type takes.
    private func staticValues(_ reference: SchemaTypeRef, depth: Int) -> [String] {
        switch schema[reference].kind {
        case .enumeration(let enumeration):
            return enumeration.values.filter { !$0.isDeprecated }.map(\.name)
        case .builtin(let builtin) where builtin.jsonType == "boolean":
            return ["false", "true"]
        case .alternate(let branches) where depth < 3:
            return branches.flatMap { staticValues($0, depth: depth + 1) }
        default:
            return []
        }
    }
}
