public import QMP
public import QMPWire
import Synchronization

// The generated schema types are these few generic wrappers, specialised by a caseless tag enum per schema type:
// `QAPI.StatusInfo` is `QAPIObjectValue<QAPITags.StatusInfo>`. Value witnesses, metadata and the `Codable`,
// `Hashable`, `QAPIValue` and `QMPCommand` conformances exist once per wrapper instead of once per schema type; a
// tag is an empty enum with no requirement to witness, and its facts (wire name, since, features, required members)
// are one line of text in `Generated/Catalog.swift`, read once. The typed members are `@_alwaysEmitIntoClient`
// constrained extensions, compiled only into the programs that use them. This is what brings the generated
// module's build cost down (BENCHMARKS.md, "Session 5: build cost of the generated module").

/// The tag of a generated struct, union, enumeration, alternate or event: a caseless enum in ``QAPITags`` that
/// names the schema type; its facts are data (``QAPIDeclarationInfo``, read through the wrapper's `qapiInfo`).
///
/// Only the generated tags have facts: a wrapper over a tag declared elsewhere stops the program (a precondition)
/// when asked for them (`qapiInfo`, `requiredMembers`, a command's or event's `name`, decoding).
public protocol QAPITag {}

/// The tag of a generated command: like ``QAPITag``, with the type of the command's reply.
public protocol QAPICommandTag {
    /// The reply's type.
    associatedtype Response: Decodable & Sendable
}

/// The tags of the generated types, one caseless enum per schema type (`QAPITags.StatusInfo` is the tag of
/// `QAPI.StatusInfo`); the guest agent's are in ``QAPITags/Agent``. Programs use the `QAPI` names.
public enum QAPITags {
    /// The tags of the guest agent's types.
    public enum Agent {}
}

/// A generated struct or union (`QAPI.StatusInfo`): its members as they are on the wire, read through typed
/// properties that the generated code adds for each `Tag`.
public struct QAPIObjectValue<Tag: QAPITag>: QAPIObject {
    /// The members as they are on the wire, unknown ones included.
    public var json: JSONObject
    /// The value `json` holds, unchecked.
    public init(unchecked json: JSONObject) { self.json = json }
    /// The members every QEMU of the decoded range (2.12 and later) sends.
    public static var requiredMembers: [String] { QAPIFacts.entry(Tag.self).required }
    /// What the schema says about it: wire name, since, features.
    public static var qapiInfo: QAPIDeclarationInfo { QAPIFacts.entry(Tag.self).info }
    /// No members: what the generated initializers start from. (`self.init(unchecked:)` there would make the
    /// compiler weigh every initializer of every tag's extension, ~7 ms of type checking each.)
    @usableFromInline static var qapiEmpty: Self { Self(unchecked: [:]) }
}

/// A generated event's data (`QAPI.DeviceDeletedEvent`), read through typed properties.
public struct QAPIEventValue<Tag: QAPITag>: QAPIObject, QMPEventType {
    /// The event's `data` as it is on the wire, unknown members included.
    public var json: JSONObject
    /// The data `json` holds, unchecked.
    public init(unchecked json: JSONObject) { self.json = json }
    /// The wire name.
    public static var name: String { QAPIFacts.entry(Tag.self).info.name }
    /// The members every QEMU of the decoded range (2.12 and later) sends.
    public static var requiredMembers: [String] { QAPIFacts.entry(Tag.self).required }
    /// What the schema says about it: wire name, since, features.
    public static var qapiInfo: QAPIDeclarationInfo { QAPIFacts.entry(Tag.self).info }
}

/// A generated command (`QAPI.QueryStatus`): its arguments as they go on the wire, set through typed properties.
public struct QAPICommandValue<Tag: QAPICommandTag>: QAPICommand {
    /// The reply's type.
    public typealias Response = Tag.Response
    /// The arguments as they go on the wire.
    public var arguments: JSONObject
    /// The command with `arguments` as they are.
    public init(arguments: JSONObject) { self.arguments = arguments }
    /// No arguments: what the generated initializers start from (see ``QAPIObjectValue``).
    @usableFromInline static var qapiEmpty: Self { Self(arguments: [:]) }
    /// The wire name.
    public static var name: String { QAPIFacts.entry(Tag.self).info.name }
    /// What the schema says about it: wire name, since, features.
    public static var qapiInfo: QAPIDeclarationInfo { QAPIFacts.entry(Tag.self).info }
}

/// A value of a generated enumeration (`QAPI.RunState`); values a newer QEMU adds are kept as they are.
public struct QAPIEnumValue<Tag: QAPITag>: QMPEnum, QAPIValue {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// What the schema says about it: wire name, since, features.
    public static var qapiInfo: QAPIDeclarationInfo { QAPIFacts.entry(Tag.self).info }
}

/// A generated alternate (`QAPI.BlockdevRef`): one value that can take several JSON shapes, read through its
/// `as...` properties.
public struct QAPIAlternateValue<Tag: QAPITag>: QAPIAlternate {
    /// The value as it is on the wire.
    public var json: JSON
    /// A value over `json`, unchecked.
    public init(unchecked json: JSON) { self.json = json }
    /// What the schema says about it: wire name, since, features.
    public static var qapiInfo: QAPIDeclarationInfo { QAPIFacts.entry(Tag.self).info }
}

/// The facts of every generated declaration, read once from `qapiFactsText` (Generated/Catalog.swift) and found by
/// the tag's type.
enum QAPIFacts {
    /// One declaration's facts.
    struct Entry: Sendable {
        /// Which schema: `QMP` or `Agent`.
        var schema: Substring
        var info: QAPIDeclarationInfo
        var required: [String]
    }

    /// Every line of `qapiFactsText`, in its order (commands and events in the schema's order).
    static let all: [(tag: Substring, entry: Entry)] = qapiFactsText.split(separator: "\n").map(parse)

    /// The entries by tag path (`StatusInfo`, `Agent.GuestExec`).
    static let byTag: [Substring: Entry] = Dictionary(all.map { ($0.tag, $0.entry) }, uniquingKeysWith: { a, _ in a })

    /// The entries already looked up, by tag type (finding one by name costs a type-name lookup, once).
    private static let resolved = Mutex<[ObjectIdentifier: Entry]>([:])

    /// The facts of the generated declaration whose tag is `tag`.
    static func entry(_ tag: Any.Type) -> Entry {
        let id = ObjectIdentifier(tag)
        if let entry = resolved.withLock({ $0[id] }) { return entry }
        // `QMPGenerated.QAPITags.Agent.GuestExec` -> `Agent.GuestExec`.
        let name = String(reflecting: tag)
        let prefix = "QMPGenerated.QAPITags."
        guard name.hasPrefix(prefix), let entry = byTag[name.dropFirst(prefix.count)] else {
            preconditionFailure("\(name) is not a generated QAPI tag")
        }
        resolved.withLock { $0[id] = entry }
        return entry
    }

    /// The declarations of one schema and kind, in the schema's order.
    static func declarations(schema: String, kind: QAPIDeclarationInfo.Kind) -> [QAPIDeclarationInfo] {
        all.compactMap { $0.entry.schema == schema && $0.entry.info.kind == kind ? $0.entry.info : nil }
    }

    /// A line: schema, kind, tag path, wire name, since (`major.minor`, or empty), features and required members
    /// (comma-separated), separated by tabs.
    private static func parse(_ line: Substring) -> (tag: Substring, entry: Entry) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        precondition(fields.count == 7, "bad QAPI facts line: \(line)")
        let kinds: [Substring: QAPIDeclarationInfo.Kind] = [
            "command": .command, "event": .event, "struct": .structure, "union": .union, "enum": .enumeration,
            "alternate": .alternate,
        ]
        guard let kind = kinds[fields[1]] else { preconditionFailure("bad QAPI kind: \(line)") }
        var since: QEMUVersion?
        let version = fields[4].split(separator: ".").compactMap { Int($0) }
        if version.count == 2 { since = QEMUVersion(major: version[0], minor: version[1], micro: 0) }
        func list(_ field: Substring) -> [String] { field.split(separator: ",").map(String.init) }
        let info = QAPIDeclarationInfo(name: String(fields[3]), kind: kind, since: since, features: list(fields[5]))
        return (fields[2], Entry(schema: fields[0], info: info, required: list(fields[6])))
    }
}

extension QAPI {
    /// Every QMP command of the schema the code was generated from, as data (name, since, features).
    public static let qmpCommands: [QAPIDeclarationInfo] = QAPIFacts.declarations(schema: "QMP", kind: .command)
    /// Every QMP event of the schema the code was generated from, as data.
    public static let qmpEvents: [QAPIDeclarationInfo] = QAPIFacts.declarations(schema: "QMP", kind: .event)
    /// Every guest agent command of the schema the code was generated from, as data (name, since, features).
    public static let agentCommands: [QAPIDeclarationInfo] = QAPIFacts.declarations(schema: "Agent", kind: .command)
    /// Every guest agent event of the schema the code was generated from, as data.
    public static let agentEvents: [QAPIDeclarationInfo] = QAPIFacts.declarations(schema: "Agent", kind: .event)
}
