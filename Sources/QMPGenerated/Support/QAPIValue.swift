public import QMP
public import QMPWire

/// A value that converts to and from its JSON wire form without `Codable` (what the generated properties use).
public protocol QAPIValue: Sendable {
    /// The value `json` holds, or `nil` when it has another shape.
    init?(qapiJSON: JSON)
    /// The wire form.
    var qapiJSON: JSON { get }
}

extension String: QAPIValue {
    /// A JSON string.
    public init?(qapiJSON: JSON) {
        guard case .string(let text) = qapiJSON else { return nil }
        self = text
    }
    /// The JSON string.
    public var qapiJSON: JSON { .string(self) }
}

extension Int: QAPIValue {
    /// A JSON integer that fits.
    public init?(qapiJSON: JSON) {
        guard let value = qapiJSON.intValue else { return nil }
        self = value
    }
    /// The JSON integer.
    public var qapiJSON: JSON { .int(Int64(self)) }
}

extension UInt64: QAPIValue {
    /// A JSON integer from 0 to `UInt64.max`.
    public init?(qapiJSON: JSON) {
        guard let value = qapiJSON.uint64Value else { return nil }
        self = value
    }
    /// The JSON integer.
    public var qapiJSON: JSON { .uint(self) }
}

extension Double: QAPIValue {
    /// Any JSON number.
    public init?(qapiJSON: JSON) {
        guard let value = qapiJSON.doubleValue else { return nil }
        self = value
    }
    /// The JSON number.
    public var qapiJSON: JSON { .double(self) }
}

extension Bool: QAPIValue {
    /// A JSON boolean.
    public init?(qapiJSON: JSON) {
        guard case .bool(let flag) = qapiJSON else { return nil }
        self = flag
    }
    /// The JSON boolean.
    public var qapiJSON: JSON { .bool(self) }
}

extension JSON: QAPIValue {
    /// Any value (`any` in the schema).
    public init?(qapiJSON: JSON) { self = qapiJSON }
    /// The value itself.
    public var qapiJSON: JSON { self }
}

extension Array: QAPIValue where Element: QAPIValue {
    /// A JSON array whose every element converts.
    public init?(qapiJSON: JSON) {
        guard case .array(let elements) = qapiJSON else { return nil }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let value = Element(qapiJSON: element) else { return nil }
            result.append(value)
        }
        self = result
    }
    /// The JSON array.
    public var qapiJSON: JSON { .array(map(\.qapiJSON)) }
}

extension QAPIValue where Self: QMPEnum {
    /// A JSON string, known to the enumeration or not.
    @_semantics("optimize.sil.specialize.generic.never")
    public init?(qapiJSON: JSON) {
        guard case .string(let text) = qapiJSON else { return nil }
        self.init(rawValue: text)
    }
    /// The JSON string.
    public var qapiJSON: JSON { .string(rawValue) }
}

// MARK: - Objects

/// A generated struct, union or event: its members as they are on the wire, read through typed properties.
///
/// Decoding checks only that the members every supported QEMU sends are there (``requiredMembers``: those of
/// QEMU 2.12 and earlier); members added later, unknown members and unknown enumeration values are all fine.
/// A property whose member is absent, or has another shape than the schema says, is `nil`.
public protocol QAPIObject: QAPIValue, Codable, Hashable {
    /// The members as they are on the wire.
    var json: JSONObject { get set }
    /// A value over `json`, unchecked.
    init(unchecked json: JSONObject)
    /// The members a reply of any supported QEMU has: decoding fails without them.
    static var requiredMembers: [String] { get }
}

extension QAPIObject {
    /// A JSON object with every one of ``requiredMembers``.
    @_semantics("optimize.sil.specialize.generic.never")
    public init?(qapiJSON: JSON) {
        guard case .object(let object) = qapiJSON, Self.missingMember(in: object) == nil else { return nil }
        self.init(unchecked: object)
    }

    /// The JSON object.
    public var qapiJSON: JSON { .object(json) }

    /// Decodes any JSON object that has ``requiredMembers``, keeping every member.
    @_semantics("optimize.sil.specialize.generic.never")
    public init(from decoder: any Decoder) throws {
        let value = try JSON(from: decoder)
        guard case .object(let object) = value else {
            throw DecodingError.typeMismatch(
                JSONObject.self, .init(codingPath: decoder.codingPath, debugDescription: "\(Self.self) is an object"))
        }
        if let missing = Self.missingMember(in: object) {
            throw DecodingError.keyNotFound(
                QAPICodingKey(stringValue: missing),
                .init(codingPath: decoder.codingPath, debugDescription: "\(Self.self) needs '\(missing)'"))
        }
        self.init(unchecked: object)
    }

    /// Writes the members as they are.
    @_semantics("optimize.sil.specialize.generic.never")
    public func encode(to encoder: any Encoder) throws {
        try JSON.object(json).encode(to: encoder)
    }

    @_semantics("optimize.sil.specialize.generic.never")
    static func missingMember(in object: JSONObject) -> String? {
        requiredMembers.first { object[$0] == nil }
    }
}

/// A generated alternate: one value that can take several JSON shapes, read through its `as...` properties.
public protocol QAPIAlternate: QAPIValue, Codable, Hashable {
    /// The value as it is on the wire.
    var json: JSON { get set }
    /// A value over `json`, unchecked.
    init(unchecked json: JSON)
}

extension QAPIAlternate {
    /// Any JSON value (which branch it is shows in the `as...` properties).
    @_semantics("optimize.sil.specialize.generic.never")
    public init?(qapiJSON: JSON) { self.init(unchecked: qapiJSON) }
    /// The value.
    public var qapiJSON: JSON { json }
    /// Decodes any JSON value.
    @_semantics("optimize.sil.specialize.generic.never")
    public init(from decoder: any Decoder) throws { self.init(unchecked: try JSON(from: decoder)) }
    /// Writes the value as it is.
    @_semantics("optimize.sil.specialize.generic.never")
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

/// A generated command: its arguments as they go on the wire, set through typed properties.
public protocol QAPICommand: QMPCommand, Hashable {
    /// The arguments.
    var arguments: JSONObject { get set }
    /// What the schema says about the command.
    static var qapiInfo: QAPIDeclarationInfo { get }
}

extension QAPICommand {
    /// Writes the arguments as they are.
    @_semantics("optimize.sil.specialize.generic.never")
    public func encode(to encoder: any Encoder) throws {
        try JSON.object(arguments).encode(to: encoder)
    }
}

// Equality and hashing of the generated types come from these extensions rather than from the compiler's synthesis;
// the wire form is the whole value. The default implementations in this file are not specialized for each generated
// type (the `optimize.sil.specialize.generic.never` semantics): when each schema type was a struct of its own, a
// specialized copy for each of the ~1 100 types was release build time for no measurable gain. The generated types
// are now a few generic wrappers (QAPIWrappers.swift) that take these implementations once.

extension QAPIObject {
    /// Equal when the wire forms are.
    @_semantics("optimize.sil.specialize.generic.never")
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.json == rhs.json }
    /// Hashes the wire form.
    @_semantics("optimize.sil.specialize.generic.never")
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}

extension QAPIAlternate {
    /// Equal when the wire forms are.
    @_semantics("optimize.sil.specialize.generic.never")
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.json == rhs.json }
    /// Hashes the wire form.
    @_semantics("optimize.sil.specialize.generic.never")
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}

extension QAPICommand {
    /// Equal when the arguments are.
    @_semantics("optimize.sil.specialize.generic.never")
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.arguments == rhs.arguments }
    /// Hashes the arguments.
    @_semantics("optimize.sil.specialize.generic.never")
    public func hash(into hasher: inout Hasher) { hasher.combine(arguments) }
}

extension QAPIValue where Self: QMPEnum {
    /// Equal when the wire values are.
    @_semantics("optimize.sil.specialize.generic.never")
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
    /// Hashes the wire value.
    @_semantics("optimize.sil.specialize.generic.never")
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

extension JSONObject {
    // The two accessors below are neither inlined nor specialized: every generated property and initializer calls
    // them, and a specialized, inlined copy in each of the ~4 000 properties costs release build time (see
    // BENCHMARKS.md, "Build cost of the typed surface"); unspecialized, a property read costs a witness call.

    /// The member `key` as `T`, or `nil` when it is absent or has another shape.
    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public func qapiMember<T: QAPIValue>(_ key: String) -> T? {
        self[key].flatMap(T.init(qapiJSON:))
    }

    /// Sets (or, with `nil`, removes) the member `key`.
    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public mutating func setQAPIMember<T: QAPIValue>(_ key: String, _ value: T?) {
        self[key] = value?.qapiJSON
    }
}

/// A member name as a coding key (for decoding errors).
struct QAPICodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
