public import QMPWire

extension QAPISchema {
    /// Builds the schema from the entities `query-qmp-schema` returns.
    ///
    /// Not an error: unknown meta-types and fields (ignored, or kept as ``SchemaType/Kind-swift.enum/unknown(metaType:)``
    /// types), entities that are not objects or have no name (skipped), references to types the schema lacks
    /// (they accept anything), enumerations given with `values` only (QEMU before 6.2) or with `members`.
    public init(entities: [JSON]) {
        var builder = SchemaBuilder()
        builder.build(entities)
        self.init(types: builder.types, commands: builder.commands, events: builder.events, typeIndex: builder.typeIndex)
    }

    /// Parses the text of a `query-qmp-schema` reply: the array of entities, or the whole `{"return": [...]}`.
    public init(parsing text: String) throws(SchemaDecodingError) {
        let value: JSON
        do {
            value = try JSON(parsing: text)
        } catch {
            throw SchemaDecodingError("the schema is not JSON: \(error)")
        }
        if let entities = value.arrayValue ?? value["return"]?.arrayValue {
            self.init(entities: entities)
        } else {
            throw SchemaDecodingError("the schema is not an array of entities")
        }
    }
}

/// A schema that is not a JSON array of entities.
public struct SchemaDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one line.
    public var message: String

    /// Creates a value from its members.
    public init(_ message: String) {
        self.message = message
    }

    /// A one-line description.
    public var description: String { message }
}

/// Turns the entities into indexed types, resolving masked names to references in two passes. Each entity's fields
/// are read in one scan (QEMU's order of fields is not relied on).
struct SchemaBuilder {
    var types: [SchemaType] = []
    var typeIndex = TypeNameIndex()
    var commands: [SchemaCommand] = []
    var events: [SchemaEvent] = []

    mutating func build(_ entities: [JSON]) {
        types.reserveCapacity(entities.count)
        // Pass 1: a slot for every named type, so references can be resolved in any order.
        var typeEntities: [(slot: Int, metaType: String, object: JSONObject)] = []
        typeEntities.reserveCapacity(entities.count)
        var otherEntities: [(isCommand: Bool, name: String, object: JSONObject)] = []
        for entity in entities {
            guard case .object(let object) = entity else { continue }
            var name: String?
            var metaType = ""
            object.scan { key, value in
                if key == "name" { name = value.stringValue } else if key == "meta-type" { metaType = value.stringValue ?? "" }
            }
            guard let name else { continue }
            if metaType == "command" || metaType == "event" {
                otherEntities.append((metaType == "command", name, object))
                continue
            }
            guard typeIndex.insert(name, slot: types.count) else { continue }
            typeEntities.append((types.count, metaType, object))
            types.append(SchemaType(name: name, kind: .unknown(metaType: metaType), features: []))
        }
        // Pass 2: the types' contents.
        for (slot, metaType, object) in typeEntities {
            var features: [String] = []
            types[slot].kind = kind(metaType: metaType, name: types[slot].name, object, features: &features)
            types[slot].features = features
        }
        for (isCommand, name, object) in otherEntities {
            var argumentType: String?
            var returnType: String?
            var features: [String] = []
            var allowsOutOfBand = false
            object.scan { key, value in
                switch key {
                case "arg-type": argumentType = value.stringValue
                case "ret-type": returnType = value.stringValue
                case "features": features = Self.features(value)
                case "allow-oob": allowsOutOfBand = value.boolValue ?? false
                default: break
                }
            }
            if isCommand {
                commands.append(SchemaCommand(
                    name: name, argumentType: reference(argumentType, missing: .emptyObject),
                    returnType: reference(returnType, missing: .any), features: features, allowsOutOfBand: allowsOutOfBand))
            } else {
                events.append(SchemaEvent(name: name, dataType: reference(argumentType, missing: .emptyObject), features: features))
            }
        }
    }

    private mutating func kind(metaType: String, name: String, _ object: JSONObject, features: inout [String]) -> SchemaType.Kind {
        var jsonType = "value"
        var elementType: String?
        var members: [JSON]?
        var values: [JSON]?
        var tag: String?
        var variants: [JSON]?
        object.scan { key, value in
            switch key {
            case "members": members = value.arrayValue
            case "values": values = value.arrayValue
            case "json-type": jsonType = value.stringValue ?? "value"
            case "element-type": elementType = value.stringValue
            case "tag": tag = value.stringValue
            case "variants": variants = value.arrayValue
            case "features": features = Self.features(value)
            default: break
            }
        }
        switch metaType {
        case "builtin":
            return .builtin(SchemaBuiltin(name: name, jsonType: jsonType))
        case "enum":
            var result: [SchemaEnumValue] = []
            if let members {
                // QEMU 6.2 and later: members with features (`values` is kept for older clients).
                result.reserveCapacity(members.count)
                for member in members {
                    guard case .object(let fields) = member else { continue }
                    var valueName: String?
                    var valueFeatures: [String] = []
                    fields.scan { key, value in
                        if key == "name" { valueName = value.stringValue } else if key == "features" { valueFeatures = Self.features(value) }
                    }
                    if let valueName { result.append(SchemaEnumValue(name: valueName, features: valueFeatures)) }
                }
            } else if let values {
                result = values.compactMap { $0.stringValue.map { SchemaEnumValue(name: $0, features: []) } }
            }
            return .enumeration(SchemaEnum(values: result))
        case "array":
            return .array(element: reference(elementType, missing: .any))
        case "object":
            var result: [SchemaMember] = []
            result.reserveCapacity(members?.count ?? 0)
            for member in members ?? [] {
                guard case .object(let fields) = member else { continue }
                var memberName: String?
                var type: String?
                // QEMU marks an optional member with `"default": null` (JSON's null, which is not Swift's nil).
                var hasDefault = false
                var defaultValue: JSON?
                var optional = false
                var memberFeatures: [String] = []
                fields.scan { key, value in
                    switch key {
                    case "name": memberName = value.stringValue
                    case "type": type = value.stringValue
                    case "default":
                        hasDefault = true
                        if !value.isNull { defaultValue = value }
                    case "optional": optional = value.boolValue ?? false
                    case "features": memberFeatures = Self.features(value)
                    default: break
                    }
                }
                guard let memberName else { continue }
                result.append(SchemaMember(
                    name: memberName, type: reference(type, missing: .any), isOptional: hasDefault || optional,
                    defaultValue: defaultValue, features: memberFeatures))
            }
            var cases: [SchemaVariant] = []
            cases.reserveCapacity(variants?.count ?? 0)
            for variant in variants ?? [] {
                guard case .object(let fields) = variant else { continue }
                var value: String?
                var type: String?
                fields.scan { key, field in
                    if key == "case" { value = field.stringValue } else if key == "type" { type = field.stringValue }
                }
                if let value { cases.append(SchemaVariant(value: value, type: reference(type, missing: .emptyObject))) }
            }
            return .object(SchemaObject(members: result, tag: tag, variants: cases))
        case "alternate":
            var branches: [SchemaTypeRef] = []
            for branch in members ?? [] {
                guard case .object(let fields) = branch else { continue }
                var type: String?
                fields.scan { key, value in if key == "type" { type = value.stringValue } }
                if type != nil { branches.append(reference(type, missing: .any)) }
            }
            return .alternate(branches)
        default:
            return .unknown(metaType: metaType)
        }
    }

    private enum Missing {
        case any
        case emptyObject
    }

    /// The type named `name`; a type the schema lacks is added (an array when the name is `[X]`, else a type that
    /// accepts anything). No name: `any`, or the empty object for arguments.
    private mutating func reference(_ name: String?, missing: Missing) -> SchemaTypeRef {
        guard let name else {
            switch missing {
            case .any: return synthesize(name: "any", kind: .builtin(SchemaBuiltin(name: "any", jsonType: "value")))
            case .emptyObject: return synthesize(name: "{}", kind: .object(SchemaObject(members: [], tag: nil, variants: [])))
            }
        }
        return reference(named: name)
    }

    private mutating func reference(named name: String) -> SchemaTypeRef {
        if let index = typeIndex.slot(name) { return SchemaTypeRef(index: index) }
        if name.hasPrefix("["), name.hasSuffix("]"), name.count > 2 {
            let element = reference(named: String(name.dropFirst().dropLast()))
            return synthesize(name: name, kind: .array(element: element))
        }
        let builtins = ["str": "string", "int": "int", "bool": "boolean", "number": "number", "null": "null", "any": "value"]
        if let jsonType = builtins[name] {
            return synthesize(name: name, kind: .builtin(SchemaBuiltin(name: name, jsonType: jsonType)))
        }
        return synthesize(name: name, kind: .unknown(metaType: "missing"))
    }

    private mutating func synthesize(name: String, kind: SchemaType.Kind) -> SchemaTypeRef {
        if let index = typeIndex.slot(name) { return SchemaTypeRef(index: index) }
        typeIndex.insert(name, slot: types.count)
        types.append(SchemaType(name: name, kind: kind, features: []))
        return SchemaTypeRef(index: types.count - 1)
    }

    static func features(_ value: JSON) -> [String] {
        guard case .array(let list) = value, !list.isEmpty else { return [] }
        return list.compactMap(\.stringValue)
    }
}

/// Type names to slots: masked names (decimal numbers) in an array, the few others in a dictionary.
struct TypeNameIndex: Sendable {
    private var masked: [Int32] = []
    private var named: [String: Int] = [:]

    func slot(_ name: String) -> Int? {
        if let number = Self.maskedNumber(name) {
            guard number < masked.count, masked[number] >= 0 else { return nil }
            return Int(masked[number])
        }
        return named[name]
    }

    /// Adds `name`; false when it is there already (the first definition wins).
    @discardableResult
    mutating func insert(_ name: String, slot: Int) -> Bool {
        if let number = Self.maskedNumber(name) {
            if number >= masked.count { masked += [Int32](repeating: -1, count: max(number + 1 - masked.count, masked.count)) }
            guard masked[number] < 0 else { return false }
            masked[number] = Int32(slot)
            return true
        }
        guard named[name] == nil else { return false }
        named[name] = slot
        return true
    }

    /// The number of a masked name (`"123"`), up to 1,000,000; `nil` for other names.
    private static func maskedNumber(_ name: String) -> Int? {
        var number = 0
        var count = 0
        for byte in name.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), count < 6 else { return nil }
            if count == 1 && number == 0 { return nil }  // a leading zero: not QEMU's numbering
            number = number * 10 + Int(byte - UInt8(ascii: "0"))
            count += 1
        }
        return count == 0 ? nil : number
    }
}

extension JSONObject {
    /// Calls `body` with each member in order, without looking keys up one by one.
    @inline(__always)
    func scan(_ body: (String, JSON) -> Void) {
        let keys = self.keys
        let values = self.values
        for index in keys.indices { body(keys[index], values[index]) }
    }
}
