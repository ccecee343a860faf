// Codable over `JSON` values: typed commands encode their arguments to `JSON` and decode replies from it
// without going through JSON text, which keeps a typed round trip cheap.

extension JSON: Codable {
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? JSONTreeDecoder {
            self = decoder.value
            return
        }
        // A foreign decoder (Foundation's, say) can only be asked shape by shape, and each wrong guess costs a
        // thrown error: ask in the order QMP's JSON is most often made of (objects, strings, arrays), numbers last.
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [(String, JSON)] = []
            for key in keyed.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                members.append((key.stringValue, try keyed.decode(JSON.self, forKey: key)))
            }
            self = .object(JSONObject(members))
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .uint(value)
        } else {
            self = .double(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? JSONTreeEncoder {
            encoder.storage = .value(self)
            return
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .uint(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let object):
            var dictionary: [String: JSON] = [:]
            for (key, value) in object { dictionary[key] = value }
            try container.encode(dictionary)
        }
    }
}

// MARK: - Decoding

/// Decodes `Decodable` values from a ``JSON`` tree.
///
/// Tolerant where QMP needs it: unknown members are ignored, absent optionals decode as `nil`, integers decode
/// from any exact number.
public struct JSONValueDecoder: Sendable {
    /// A decoder; it has no options, so one can be shared by any number of tasks.
    public init() {}

    /// Decodes a `T` from `value` directly, without producing JSON text. Decoding ``JSON`` itself returns
    /// `value` unchanged.
    ///
    /// - Throws: `DecodingError` when `value` does not have `T`'s shape: a required member missing
    ///   (`keyNotFound`), a member of the wrong JSON type (`typeMismatch`) or an integer out of the field's range
    ///   (`dataCorrupted`), with the coding path to it; or whatever `T`'s own `init(from:)` throws.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSON) throws -> T {
        if let json = value as? T, type == JSON.self { return json }
        return try T(from: JSONTreeDecoder(value: value, codingPath: []))
    }
}

final class JSONTreeDecoder: Decoder {
    let value: JSON
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSON, codingPath: [any CodingKey]) {
        self.value = value
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw typeMismatch([String: JSON].self, "an object", value, codingPath)
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else { throw typeMismatch([JSON].self, "an array", value, codingPath) }
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleContainer(value: value, codingPath: codingPath)
    }
}

private func typeMismatch(_ type: Any.Type, _ expected: String, _ value: JSON, _ path: [any CodingKey]) -> DecodingError {
    DecodingError.typeMismatch(
        type, DecodingError.Context(codingPath: path, debugDescription: "expected \(expected), found \(value.typeName)"))
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Decodes scalars from a JSON value; shared by all container kinds.
private func decodeScalar<T: Decodable>(_ type: T.Type, _ value: JSON, _ path: [any CodingKey]) throws -> T {
    func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
        let result: I?
        switch value {
        case .int(let v): result = I(exactly: v)
        case .uint(let v): result = I(exactly: v)
        case .double(let v): result = I(exactly: v)
        default: throw typeMismatch(I.self, "an integer", value, path)
        }
        guard let result else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(value) does not fit \(I.self)"))
        }
        return result
    }
    switch type {
    case is JSON.Type: return value as! T
    case is String.Type:
        guard case .string(let s) = value else { throw typeMismatch(String.self, "a string", value, path) }
        return s as! T
    case is Bool.Type:
        guard case .bool(let b) = value else { throw typeMismatch(Bool.self, "a boolean", value, path) }
        return b as! T
    case is Double.Type:
        guard let d = value.doubleValue else { throw typeMismatch(Double.self, "a number", value, path) }
        return d as! T
    case is Float.Type:
        guard let d = value.doubleValue else { throw typeMismatch(Float.self, "a number", value, path) }
        return Float(d) as! T
    case is Int.Type: return try integer(Int.self) as! T
    case is Int64.Type: return try integer(Int64.self) as! T
    case is Int32.Type: return try integer(Int32.self) as! T
    case is Int16.Type: return try integer(Int16.self) as! T
    case is Int8.Type: return try integer(Int8.self) as! T
    case is UInt.Type: return try integer(UInt.self) as! T
    case is UInt64.Type: return try integer(UInt64.self) as! T
    case is UInt32.Type: return try integer(UInt32.self) as! T
    case is UInt16.Type: return try integer(UInt16.self) as! T
    case is UInt8.Type: return try integer(UInt8.self) as! T
    default: return try T(from: JSONTreeDecoder(value: value, codingPath: path))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSON {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no member '\(key.stringValue)'"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { object[key.stringValue]?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeScalar(type, value(key), codingPath + [key])
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = object[key.stringValue], !value.isNull else { return nil }
        return try decodeScalar(type, value, codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONTreeDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONTreeDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONTreeDecoder(value: object["super"] ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONTreeDecoder(value: object[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let array: [JSON]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(array: [JSON], codingPath: [any CodingKey]) {
        self.array = array
        self.codingPath = codingPath
    }

    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    private mutating func nextValue() throws -> (JSON, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSON.self, .init(codingPath: codingPath, debugDescription: "array has only \(array.count) elements"))
        }
        defer { currentIndex += 1 }
        return (array[currentIndex], codingPath + [AnyKey(intValue: currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, array[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try nextValue()
        return try decodeScalar(type, value, path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, path) = try nextValue()
        return try JSONTreeDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try nextValue()
        return try JSONTreeDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try nextValue()
        return JSONTreeDecoder(value: value, codingPath: path)
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let value: JSON
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value.isNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeScalar(type, value, codingPath) }
}

// MARK: - Encoding

/// Encodes `Encodable` values into a ``JSON`` tree, keeping members in the order they are encoded.
/// `nil` optionals are left out (synthesized `Encodable` uses `encodeIfPresent`).
public struct JSONValueEncoder: Sendable {
    /// An encoder; it has no options, so one can be shared by any number of tasks.
    public init() {}

    /// Encodes `value` to a ``JSON`` tree directly, without producing JSON text. Encoding a ``JSON`` returns it
    /// unchanged.
    ///
    /// - Throws: Whatever `value`'s `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> JSON {
        if let json = value as? JSON { return json }
        let encoder = JSONTreeEncoder(codingPath: [])
        try value.encode(to: encoder)
        return EncodingNode(encoder.storage).json
    }
}

/// A node under construction: containers are reference types so nested encoders can fill them in later.
final class EncodingNode {
    enum Kind {
        case value(JSON)
        case object(keys: [String], nodes: [EncodingNode])
        case array([EncodingNode])
    }

    var kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    var json: JSON {
        switch kind {
        case .value(let value): return value
        case .object(let keys, let nodes): return .object(JSONObject(Array(zip(keys, nodes.map(\.json)))))
        case .array(let nodes): return .array(nodes.map(\.json))
        }
    }

    func set(_ key: String, _ node: EncodingNode) {
        guard case .object(var keys, var nodes) = kind else { return }
        kind = .value(.null)
        if let index = keys.firstIndex(of: key) {
            nodes[index] = node
        } else {
            keys.append(key)
            nodes.append(node)
        }
        kind = .object(keys: keys, nodes: nodes)
    }

    func append(_ node: EncodingNode) {
        guard case .array(var nodes) = kind else { return }
        kind = .value(.null)
        nodes.append(node)
        kind = .array(nodes)
    }
}

final class JSONTreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var node: EncodingNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    /// The encoded result (an empty object when nothing was encoded).
    var storage: EncodingNode.Kind {
        get { node?.kind ?? .object(keys: [], nodes: []) }
        set {
            if let node { node.kind = newValue } else { node = EncodingNode(newValue) }
        }
    }

    /// The node this encoder writes into, created on first use.
    func rootNode(_ make: () -> EncodingNode.Kind) -> EncodingNode {
        if let node { return node }
        let created = EncodingNode(make())
        node = created
        return created
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let node = rootNode { .object(keys: [], nodes: []) }
        return KeyedEncodingContainer(KeyedEncoding<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedEncoding(node: rootNode { .array([]) }, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleEncoding(encoder: self, codingPath: codingPath)
    }
}

/// Encodes one value to a node: scalars directly, anything else through a nested encoder.
///
/// Every standard-library scalar must be handled here: a scalar's own `encode(to:)` asks for a single-value
/// container and encodes itself into it, which comes back here, so one that fell through to the nested encoder
/// called itself until the stack ran out (it did for `Int32`, `Int8`, `Int16`, `UInt8`...`UInt32`, `UInt` and
/// `Float`).
private func encodeNode<T: Encodable>(_ value: T, _ path: [any CodingKey]) throws -> EncodingNode {
    switch value {
    case let json as JSON: return EncodingNode(.value(json))
    case let string as String: return EncodingNode(.value(.string(string)))
    case let bool as Bool: return EncodingNode(.value(.bool(bool)))
    case let int as Int: return EncodingNode(.value(.int(Int64(int))))
    case let int as Int64: return EncodingNode(.value(.int(int)))
    case let int as Int32: return EncodingNode(.value(.int(Int64(int))))
    case let int as Int16: return EncodingNode(.value(.int(Int64(int))))
    case let int as Int8: return EncodingNode(.value(.int(Int64(int))))
    case let uint as UInt64: return EncodingNode(.value(JSON(uint)))
    case let uint as UInt: return EncodingNode(.value(JSON(uint)))
    case let uint as UInt32: return EncodingNode(.value(.int(Int64(uint))))
    case let uint as UInt16: return EncodingNode(.value(.int(Int64(uint))))
    case let uint as UInt8: return EncodingNode(.value(.int(Int64(uint))))
    case let double as Double: return EncodingNode(.value(try finite(double, double.isFinite, path)))
    // A `Float` is written as its shortest decimal form (`0.1`, not the `0.10000000149011612` its widening to
    // `Double` holds), as Foundation's `JSONEncoder` does.
    case let float as Float: return EncodingNode(.value(try finite(Double(float.description) ?? Double(float), float.isFinite, path)))
    default:
        let encoder = JSONTreeEncoder(codingPath: path)
        try value.encode(to: encoder)
        return EncodingNode(encoder.storage)
    }
}

/// `value` as a JSON number; JSON has no infinity or NaN, so those are an `EncodingError` naming the member
/// (they used to become `null` on the wire without a word).
private func finite(_ value: Double, _ isFinite: Bool, _ path: [any CodingKey]) throws -> JSON {
    guard isFinite else {
        throw EncodingError.invalidValue(value, .init(
            codingPath: path, debugDescription: "\(value) is not a number JSON can carry (no infinity or NaN)"))
    }
    return .double(value)
}

private struct KeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.set(key.stringValue, EncodingNode(.value(.null))) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.set(key.stringValue, try encodeNode(value, codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode(.object(keys: [], nodes: []))
        node.set(key.stringValue, child)
        return KeyedEncodingContainer(KeyedEncoding<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncodingNode(.array([]))
        node.set(key.stringValue, child)
        return UnkeyedEncoding(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = JSONTreeEncoder(codingPath: codingPath + [key])
        let child = encoder.rootNode { .object(keys: [], nodes: []) }
        node.set(key.stringValue, child)
        return encoder
    }
}

private struct UnkeyedEncoding: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    var count: Int {
        if case .array(let nodes) = node.kind { return nodes.count }
        return 0
    }

    mutating func encodeNil() throws { node.append(EncodingNode(.value(.null))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.append(try encodeNode(value, codingPath + [AnyKey(intValue: count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = EncodingNode(.object(keys: [], nodes: []))
        let path = codingPath + [AnyKey(intValue: count)]
        node.append(child)
        return KeyedEncodingContainer(KeyedEncoding<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = EncodingNode(.array([]))
        let path = codingPath + [AnyKey(intValue: count)]
        node.append(child)
        return UnkeyedEncoding(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = JSONTreeEncoder(codingPath: codingPath + [AnyKey(intValue: count)])
        node.append(encoder.rootNode { .object(keys: [], nodes: []) })
        return encoder
    }
}

private struct SingleEncoding: SingleValueEncodingContainer {
    let encoder: JSONTreeEncoder
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { encoder.storage = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.storage = try encodeNode(value, codingPath).kind
    }
}
