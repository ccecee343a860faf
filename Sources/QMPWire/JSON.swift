/// A JSON value, as QMP sends and receives it.
///
/// Objects keep the order of their keys (so replies print the way QEMU wrote them), integers are kept exact
/// (QMP sizes and addresses need all 64 bits), and numbers compare by value across representations
/// (`.int(1) == .double(1.0)`).
///
/// ```swift
/// let args: JSON = ["id": "vd1", "driver": "virtio-blk-pci", "bootindex": 2]
/// args["id"]?.stringValue   // "vd1"
/// ```
public enum JSON: Sendable {
    /// JSON's `null`. QMP uses it rarely; an absent member is a missing key, not `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer that fits `Int64`.
    case int(Int64)
    /// An integer above `Int64.max` (QMP's `uint64`).
    case uint(UInt64)
    /// A number read with a fraction or an exponent (`0.5`, `1e3`), or a Swift `Double` encoded. Always finite
    /// when parsed; a non-finite value is written as `null`, since JSON has no infinity or NaN.
    case double(Double)
    /// A string, with escapes already decoded.
    case string(String)
    /// An array, in order.
    case array([JSON])
    /// An object, with its keys in the order they were read or added.
    case object(JSONObject)
}

// MARK: - Accessors

extension JSON {
    /// The member `key` of an object, or `nil` for a missing key or a value that is not an object.
    public subscript(key: String) -> JSON? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` of an array, or `nil` when out of range or not an array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let array) = self, array.indices.contains(index) else { return nil }
        return array[index]
    }

    /// Whether the value is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value of a `.bool`; `nil` for any other case (no conversion from numbers or strings).
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The value of a `.string`; `nil` for any other case (numbers are not converted to text).
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as `Int64` when it is an integer (or an integral double) in range.
    public var int64Value: Int64? {
        switch self {
        case .int(let value): return value
        case .uint: return nil
        case .double(let value):
            guard value.rounded() == value, let exact = Int64(exactly: value) else { return nil }
            return exact
        default: return nil
        }
    }

    /// The value as `Int` when it is an integer in range.
    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    /// The value as `UInt64` when it is a non-negative integer.
    public var uint64Value: UInt64? {
        switch self {
        case .int(let value): return value >= 0 ? UInt64(value) : nil
        case .uint(let value): return value
        case .double(let value):
            guard value.rounded() == value, let exact = UInt64(exactly: value) else { return nil }
            return exact
        default: return nil
        }
    }

    /// The value as `Double` for any number.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The elements of an `.array`; `nil` for any other case.
    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members of an `.object`; `nil` for any other case.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The JSON type name used in error messages: `null`, `boolean`, `integer`, `number`, `string`, `array`, `object`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .uint: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSON {
    /// The value at a dotted path of object keys (`"a.b.c"`); array elements by number (`"list.0"`).
    public func value(atDottedPath path: String) -> JSON? {
        var current: JSON? = self
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let value = current else { return nil }
            if case .array = value, let index = Int(component) {
                current = value[index]
            } else {
                current = value[String(component)]
            }
        }
        return current
    }
}

// MARK: - Equality

extension JSON: Hashable {
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int, .uint), (.uint, .int): return false
        default:
            if let a = lhs.doubleValue, let b = rhs.doubleValue {
                if let ai = lhs.int64Value, let bi = rhs.int64Value { return ai == bi }
                return a == b
            }
            return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .array(let value): hasher.combine(value)
        case .object(let value): hasher.combine(value)
        case .int, .uint, .double:
            if let integer = int64Value { hasher.combine(integer) } else if let unsigned = uint64Value {
                hasher.combine(unsigned)
            } else {
                hasher.combine(doubleValue ?? 0)
            }
        }
    }
}

// MARK: - Literals

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

extension JSON {
    /// An integer value, stored exactly.
    public init<T: BinaryInteger>(_ value: T) {
        if let small = Int64(exactly: value) {
            self = .int(small)
        } else if let big = UInt64(exactly: value) {
            self = .uint(big)
        } else {
            self = .double(Double(value))
        }
    }
}

extension JSON: CustomStringConvertible {
    /// The compact JSON text of the value.
    public var description: String { serialized() }
}
