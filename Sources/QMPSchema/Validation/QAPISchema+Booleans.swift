public import QMPWire

extension QAPISchema {
    /// The words a typed string may use for a boolean where the schema wants one (case does not matter).
    public static let booleanWords: [String: Bool] = [
        "true": true, "yes": true, "on": true,
        "false": false, "no": false, "off": false,
    ]

    /// `arguments` with each string that sits where the schema wants a boolean, and is one of ``booleanWords``
    /// (`yes`, `off`, `True`, ...), turned into that boolean. Everything else is left as it is (validation reports
    /// it); a command the schema does not know comes back unchanged.
    public func coercingBooleans(command name: String, arguments: JSONObject) -> JSONObject {
        guard let command = command(named: name), case .object(let shape) = self[command.argumentType].kind else {
            return arguments
        }
        return coerce(arguments, shape: shape)
    }

    private func coerce(_ object: JSONObject, shape: SchemaObject) -> JSONObject {
        var variant: SchemaObject?
        if let tag = shape.tag, let value = object[tag]?.stringValue, let reference = shape.variant(for: value),
           case .object(let variantShape) = self[reference].kind
        {
            variant = variantShape
        }
        var result = object
        for (key, value) in object {
            guard let member = shape.member(named: key) ?? variant?.member(named: key) else { continue }
            result[key] = coerce(value, type: member.type)
        }
        return result
    }

    private func coerce(_ value: JSON, type reference: SchemaTypeRef) -> JSON {
        switch (self[reference].kind, value) {
        case (.builtin(let builtin), .string(let text)) where builtin.jsonType == "boolean":
            return Self.booleanWords[text.lowercased()].map(JSON.bool) ?? value
        case (.alternate(let branches), .string(let text)):
            // Only when no branch takes a string as it is (an alternate of str and bool keeps the string).
            let takesString = branches.contains { branch in
                switch self[branch].kind {
                case .builtin(let builtin): return builtin.jsonType == "string" || builtin.jsonType == "value"
                case .enumeration, .unknown: return true
                default: return false
                }
            }
            let takesBool = branches.contains { branch in
                if case .builtin(let builtin) = self[branch].kind { return builtin.jsonType == "boolean" }
                return false
            }
            guard !takesString, takesBool, let flag = Self.booleanWords[text.lowercased()] else { return value }
            return .bool(flag)
        case (.array(let element), .array(let elements)):
            return .array(elements.map { coerce($0, type: element) })
        case (.object(let shape), .object(let object)):
            return .object(coerce(object, shape: shape))
        default:
            return value
        }
    }
}
