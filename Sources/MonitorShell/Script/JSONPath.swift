public import QMP
public import QMPWire

/// A jq-like path into a JSON value: `.` (the value itself), `.status`, `.a.b[0]`, `.[2].name`, `.["odd key"]`.
/// Keys may hold dashes (`.tray-open`). A leading `$_` is allowed (`$_.status`).
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Equatable {
        /// A member of an object (`.name` or `.["odd key"]`).
        case key(String)
        /// An element of an array (`[2]`); a negative index counts from the end.
        case index(Int)
    }

    /// The steps from the outside in; empty for `.`, the value itself.
    public var components: [Component]

    /// The path made of these steps.
    public init(_ components: [Component]) { self.components = components }

    /// Parses a path; errors carry the 1-based column within `text`.
    public init(parsing text: String) throws(MonitorSyntaxError) {
        var characters = Array(text)
        var offset = 0
        if text.hasPrefix("$_") {
            characters.removeFirst(2)
            offset = 2
            if characters.isEmpty { self.components = []; return }
        }
        guard characters.first == "." || characters.first == "[" else {
            throw MonitorSyntaxError("a path starts with '.' (e.g. .status or .[0].name), found '\(text)'", column: offset + 1)
        }
        var components: [Component] = []
        var index = 0
        func isKeyCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }
        while index < characters.count {
            let character = characters[index]
            if character == "." {
                index += 1
                if index == characters.count {
                    guard components.isEmpty else {
                        throw MonitorSyntaxError("a path cannot end with '.'", column: offset + index)
                    }
                    break
                }
                if characters[index] == "[" { continue }
                let start = index
                while index < characters.count, isKeyCharacter(characters[index]) { index += 1 }
                guard index > start else {
                    throw MonitorSyntaxError("expected a key after '.'", column: offset + index + 1)
                }
                components.append(.key(String(characters[start..<index])))
            } else if character == "[" {
                guard let close = characters[index...].firstIndex(of: "]") else {
                    throw MonitorSyntaxError("'[' without ']'", column: offset + index + 1)
                }
                let inside = String(characters[(index + 1)..<close])
                if let number = Int(inside) {
                    components.append(.index(number))
                } else if inside.first == "\"", case .string(let key)? = try? JSON(parsing: inside) {
                    components.append(.key(key))
                } else {
                    throw MonitorSyntaxError("'[\(inside)]' is neither an index nor a quoted key", column: offset + index + 1)
                }
                index = close + 1
            } else {
                throw MonitorSyntaxError("unexpected '\(character)' in a path", column: offset + index + 1)
            }
        }
        self.components = components
    }

    /// The value at this path, or `nil` when a key is missing, an index is out of range or a step meets the wrong
    /// type. A negative index counts from the end, as in jq.
    public func evaluate(_ value: JSON) -> JSON? {
        var current = value
        for component in components {
            switch (component, current) {
            case (.key(let key), .object(let object)):
                guard let next = object[key] else { return nil }
                current = next
            case (.index(let index), .array(let array)):
                let position = index < 0 ? array.count + index : index
                guard array.indices.contains(position) else { return nil }
                current = array[position]
            default:
                return nil
            }
        }
        return current
    }

    /// The path in the syntax ``init(parsing:)`` reads: plain keys as `.key`, other keys quoted, indexes as `[N]`.
    public var description: String {
        if components.isEmpty { return "." }
        let text = components.map { component in
            switch component {
            case .key(let key):
                return key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) && !key.isEmpty
                    ? "." + key : ".[" + JSON.string(key).serialized() + "]"
            case .index(let index): return "[\(index)]"
            }
        }.joined()
        return text.hasPrefix(".") ? text : "." + text
    }
}

extension JSON {
    /// jq's `contains`: a substring of a string; for arrays, every element of `other` is contained in some
    /// element; for objects, every member of `other` is present and contains the other's value; otherwise equality.
    public func contains(_ other: JSON) -> Bool {
        switch (self, other) {
        case (.string(let text), .string(let part)):
            return text.contains(part)
        case (.array(let elements), .array(let wanted)):
            return wanted.allSatisfy { item in elements.contains { $0.contains(item) } }
        case (.array(let elements), _):
            return elements.contains { $0.contains(other) }
        case (.object(let object), .object(let wanted)):
            return wanted.members.allSatisfy { member in object[member.key].map { $0.contains(member.value) } ?? false }
        case (.object(let object), .string(let key)):
            return object[key] != nil
        default:
            return self.looselyEquals(other)
        }
    }

    /// Equality where numbers compare by value (`1 == 1.0`), and a string equals a number or boolean with the
    /// same text (`"1"` matches `1`), so `wait EVENT id=1` and `expect .x == 5` do what they say.
    public func looselyEquals(_ other: JSON) -> Bool {
        if self == other { return true }
        if let a = numericValue, let b = other.numericValue { return a == b }
        switch (self, other) {
        case (.string(let text), .int), (.string(let text), .uint), (.string(let text), .double), (.string(let text), .bool):
            return text == other.serialized()
        case (.int, .string(let text)), (.uint, .string(let text)), (.double, .string(let text)), (.bool, .string(let text)):
            return text == serialized()
        default:
            return false
        }
    }

    /// The value as a number, when it is one.
    public var numericValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }
}
