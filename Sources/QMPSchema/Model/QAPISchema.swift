public import QMPWire

/// The QMP schema of one QEMU, as `query-qmp-schema` describes it: its commands, events and the types they use.
///
/// QEMU masks the names of its types as numbers (`"arg-type": "16"`); ``displayName(of:)`` gives every type a
/// readable name derived from where it is first used (`blockdev-change-medium.read-only-mode`).
/// Decoding is tolerant: unknown meta-types, unknown fields and references to types that are missing become
/// ``SchemaType/Kind-swift.enum/unknown(metaType:)`` types, which accept any value, so schemas of older and newer
/// QEMU versions load.
///
/// ```swift
/// let schema = try await QAPISchema.load(from: client)       // fetched once per connection, then cached
/// let report = schema.validate(command: "blockdev-change-medium", arguments: ["id": "cd0", "filname": "/a.iso"])
/// print(report.errors.first!)   // unknown argument 'filname' for blockdev-change-medium — did you mean 'filename'?
/// print(schema.signature(ofCommand: "eject")!)
/// ```
public struct QAPISchema: Sendable {
    /// Every type, indexed by ``SchemaTypeRef``.
    public let types: [SchemaType]
    /// The commands, in schema order.
    public let commands: [SchemaCommand]
    /// The events, in schema order.
    public let events: [SchemaEvent]

    let commandIndex: [String: Int]
    let eventIndex: [String: Int]
    let typeIndex: TypeNameIndex
    /// Command names, sorted (completion and suggestions).
    public let commandNames: [String]
    /// Event names, sorted.
    public let eventNames: [String]
    let displayNames = DisplayNameCache()

    init(types: [SchemaType], commands: [SchemaCommand], events: [SchemaEvent], typeIndex: TypeNameIndex) {
        self.types = types
        self.commands = commands
        self.events = events
        self.typeIndex = typeIndex
        var commandIndex: [String: Int] = [:]
        commandIndex.reserveCapacity(commands.count)
        for (index, command) in commands.enumerated() where commandIndex[command.name] == nil {
            commandIndex[command.name] = index
        }
        var eventIndex: [String: Int] = [:]
        eventIndex.reserveCapacity(events.count)
        for (index, event) in events.enumerated() where eventIndex[event.name] == nil { eventIndex[event.name] = index }
        self.commandIndex = commandIndex
        self.eventIndex = eventIndex
        commandNames = commandIndex.keys.sorted()
        eventNames = eventIndex.keys.sorted()
    }

    /// The command `name`, or `nil` when this QEMU has none by that name.
    public func command(named name: String) -> SchemaCommand? {
        commandIndex[name].map { commands[$0] }
    }

    /// The event `name`, or `nil` when this QEMU has none by that name.
    public func event(named name: String) -> SchemaEvent? {
        eventIndex[name].map { events[$0] }
    }

    /// The type a reference points to.
    public subscript(reference: SchemaTypeRef) -> SchemaType {
        types[reference.index]
    }

    /// The type with the name used in the schema (`"16"`, `"str"`, `"[int]"`).
    public func type(named name: String) -> SchemaType? {
        typeIndex.slot(name).map { types[$0] }
    }

    /// The reference of the type named `name` in the schema.
    public func reference(named name: String) -> SchemaTypeRef? {
        typeIndex.slot(name).map(SchemaTypeRef.init(index:))
    }
}

/// A reference to one of a schema's ``QAPISchema/types``.
public struct SchemaTypeRef: Hashable, Sendable {
    /// The position in ``QAPISchema/types``.
    public let index: Int

    /// Creates a value from its members.
    public init(index: Int) {
        self.index = index
    }
}

/// A QMP command: its arguments, its reply, its features.
public struct SchemaCommand: Sendable, Hashable {
    /// The command's wire name, e.g. `blockdev-add`.
    public var name: String
    /// An object type (often a union) holding the arguments; the empty object for commands that take none.
    public var argumentType: SchemaTypeRef
    /// The type of the reply.
    public var returnType: SchemaTypeRef
    /// Features such as `deprecated` and `unstable`.
    public var features: [String]
    /// The command may be sent out of band (`exec-oob`).
    public var allowsOutOfBand: Bool
}

/// A QMP event and the type of its `data`.
public struct SchemaEvent: Sendable, Hashable {
    /// The event's wire name, e.g. `DEVICE_DELETED`.
    public var name: String
    /// The type of the event's `data`.
    public var dataType: SchemaTypeRef
    /// Features such as `deprecated` and `unstable`.
    public var features: [String]
}

/// A type of the schema.
public struct SchemaType: Sendable, Hashable {
    /// The name in the schema: a builtin's name (`str`), a number for masked types (`"16"`), `[ELEMENT]` for arrays.
    /// ``QAPISchema/displayName(of:)`` gives a readable one.
    public var name: String
    /// What kind of type it is.
    public var kind: Kind
    /// Features such as `deprecated` and `unstable`.
    public var features: [String]

    /// The kinds of types.
    public enum Kind: Sendable, Hashable {
        /// `str`, `int`, `bool`, `number`, `null`, `any` (and sized integers in unmasked schemas).
        case builtin(SchemaBuiltin)
        /// An enumeration: a string from a fixed list of values.
        case enumeration(SchemaEnum)
        /// A JSON array whose elements all have type `element`.
        case array(element: SchemaTypeRef)
        /// A struct, or a union when ``SchemaObject/tag`` is set.
        case object(SchemaObject)
        /// One of several types, told apart by the JSON type of the value.
        case alternate([SchemaTypeRef])
        /// A meta-type this version does not know, or a type the schema refers to but does not define; any value
        /// is accepted.
        case unknown(metaType: String)
    }
}

/// A builtin type and the JSON type it takes.
public struct SchemaBuiltin: Sendable, Hashable {
    /// The builtin's name (`str`, `int`, `uint8`, `size`, `bool`, `number`, `null`, `any`).
    public var name: String
    /// QEMU's JSON type: `string`, `int`, `number`, `boolean`, `null` or `value` (anything).
    public var jsonType: String

    /// Creates a value from its members.
    public init(name: String, jsonType: String) {
        self.name = name
        self.jsonType = jsonType
    }

    /// The range of the integers it takes, for sized integer builtins (only unmasked schemas name them).
    public var integerRange: ClosedRange<Int128>? {
        switch name {
        case "int8": return Int128(Int8.min)...Int128(Int8.max)
        case "int16": return Int128(Int16.min)...Int128(Int16.max)
        case "int32": return Int128(Int32.min)...Int128(Int32.max)
        case "int64": return Int128(Int64.min)...Int128(Int64.max)
        case "uint8": return 0...Int128(UInt8.max)
        case "uint16": return 0...Int128(UInt16.max)
        case "uint32": return 0...Int128(UInt32.max)
        case "uint64", "size": return 0...Int128(UInt64.max)
        // `int` in introspection stands for every integer type, uint64 included.
        default: return jsonType == "int" ? Int128(Int64.min)...Int128(UInt64.max) : nil
        }
    }
}

/// An enumeration's values.
public struct SchemaEnum: Sendable, Hashable {
    /// The values, in schema order.
    public var values: [SchemaEnumValue]

    /// The value `name`, or `nil` when it is not one of the enumeration's.
    public func value(named name: String) -> SchemaEnumValue? {
        values.first { $0.name == name }
    }

    /// The names of the values, in schema order.
    public var names: [String] { values.map(\.name) }
}

/// One value of an enumeration, with its features (`deprecated`, `unstable`).
public struct SchemaEnumValue: Sendable, Hashable {
    /// The value as it goes on the wire.
    public var name: String
    /// Features such as `deprecated` and `unstable`.
    public var features: [String]
}

/// The members of a struct or union.
///
/// A union has a ``tag``: one of its own ``members`` (an enumeration) whose value picks one of the ``variants``;
/// the variant's members come on top of the union's own.
public struct SchemaObject: Sendable, Hashable {
    /// The members, in schema order (a union's own members, not its variants').
    public var members: [SchemaMember]
    /// The discriminator member of a union.
    public var tag: String?
    /// The variants of a union: which type each tag value selects.
    public var variants: [SchemaVariant]

    /// The member `name` of the object itself (not of its variants).
    public func member(named name: String) -> SchemaMember? {
        members.first { $0.name == name }
    }

    /// The variant type for the tag value `value`; `nil` when the value has no variant of its own.
    public func variant(for value: String) -> SchemaTypeRef? {
        variants.first { $0.value == value }?.type
    }
}

/// A member of an object (an argument of a command, a field of an event or a reply).
public struct SchemaMember: Sendable, Hashable {
    /// The member's wire name, e.g. `node-name`.
    public var name: String
    /// The type.
    public var type: SchemaTypeRef
    /// The member may be left out.
    public var isOptional: Bool
    /// The default value, when the schema gives one (QEMU's introspection gives `null` or nothing).
    public var defaultValue: JSON?
    /// Features such as `deprecated` and `unstable`.
    public var features: [String]
}

/// One case of a union: the value of the tag and the type holding that case's members.
public struct SchemaVariant: Sendable, Hashable {
    /// The tag's value.
    public var value: String
    /// The type.
    public var type: SchemaTypeRef
}

// MARK: - Features

/// Features with a meaning for validation.
public enum SchemaFeature {
    /// `deprecated`: still there, to be removed.
    public static let deprecated = "deprecated"
    /// `unstable`: experimental, may change.
    public static let unstable = "unstable"
}

extension SchemaCommand {
    /// The schema marks it `deprecated`.
    public var isDeprecated: Bool { features.contains(SchemaFeature.deprecated) }
    /// The schema marks it `unstable`.
    public var isUnstable: Bool { features.contains(SchemaFeature.unstable) }
}

extension SchemaMember {
    /// The schema marks it `deprecated`.
    public var isDeprecated: Bool { features.contains(SchemaFeature.deprecated) }
    /// The schema marks it `unstable`.
    public var isUnstable: Bool { features.contains(SchemaFeature.unstable) }
}

extension SchemaEnumValue {
    /// The schema marks it `deprecated`.
    public var isDeprecated: Bool { features.contains(SchemaFeature.deprecated) }
}
