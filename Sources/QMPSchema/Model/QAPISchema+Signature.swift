public import QMPWire

extension QAPISchema {
    /// A command's arguments as one readable line, e.g.
    /// `blockdev-change-medium id:str? filename:str format:str? force:bool? read-only-mode:{retain,read-only,read-write}?`
    ///
    /// `?` marks optional arguments, `{a,b}` enumerations, `[T]` arrays, `A|B` alternates; small objects are
    /// shown inline (`{direct:bool?,no-flush:bool?}`), others by their derived name. A union adds one indented line
    /// per variant with its own arguments (`  driver=file: filename:str ...`). A reply other than `{}` is shown as
    /// ` -> TYPE`. Deprecated arguments and values are left out unless `includeDeprecated`.
    /// `nil` when there is no such command.
    public func signature(ofCommand name: String, includeDeprecated: Bool = false) -> String? {
        guard let command = command(named: name) else { return nil }
        var renderer = SignatureRenderer(schema: self, includeDeprecated: includeDeprecated)
        var lines = renderer.lines(name: name, type: command.argumentType)
        if case .object(let object) = self[command.returnType].kind, object.members.isEmpty, object.variants.isEmpty {
        } else {
            lines[0] += " -> " + renderer.render(command.returnType, depth: 0)
        }
        return lines.joined(separator: "\n")
    }

    /// An event's data as one readable line (and a line per variant for unions), e.g. `DEVICE_DELETED device:str? path:str`.
    public func signature(ofEvent name: String, includeDeprecated: Bool = false) -> String? {
        guard let event = event(named: name) else { return nil }
        var renderer = SignatureRenderer(schema: self, includeDeprecated: includeDeprecated)
        return renderer.lines(name: name, type: event.dataType).joined(separator: "\n")
    }

    /// A command for machines: `{"name", "kind": "command", "arguments": [...], "variants": {...}?, "returns",
    /// "features", "allow-oob"}`; each argument is `{"name", "type", "optional", "default"?, "features"?,
    /// "values"?}` with `type` written as in ``signature(ofCommand:includeDeprecated:)``. Deprecated members are
    /// included, with their features.
    public func description(ofCommand name: String) -> JSON? {
        guard let command = command(named: name) else { return nil }
        var renderer = SignatureRenderer(schema: self, includeDeprecated: true)
        var object: JSONObject = ["name": .string(name), "kind": "command"]
        for (key, value) in renderer.membersJSON(command.argumentType, key: "arguments") { object[key] = value }
        object["returns"] = .string(renderer.render(command.returnType, depth: 0))
        object["features"] = .array(command.features.map(JSON.string))
        object["allow-oob"] = .bool(command.allowsOutOfBand)
        return .object(object)
    }

    /// An event for machines: `{"name", "kind": "event", "data": [...], "variants"?, "features"}`.
    public func description(ofEvent name: String) -> JSON? {
        guard let event = event(named: name) else { return nil }
        var renderer = SignatureRenderer(schema: self, includeDeprecated: true)
        let members = renderer.membersJSON(event.dataType, key: "data")
        var object: JSONObject = ["name": .string(name), "kind": "event"]
        for (key, value) in members { object[key] = value }
        object["features"] = .array(event.features.map(JSON.string))
        return .object(object)
    }
}

/// Writes types the way `qmpsh schema` prints them.
struct SignatureRenderer {
    let schema: QAPISchema
    let includeDeprecated: Bool

    /// The first line (`NAME member:type ...`) and, for unions, one line per group of variants with members.
    mutating func lines(name: String, type reference: SchemaTypeRef) -> [String] {
        guard case .object(let object) = schema[reference].kind else {
            return [name + " " + render(reference, depth: 0)]
        }
        var lines = [([name] + object.members.compactMap(memberText)).joined(separator: " ")]
        guard let tag = object.tag else { return lines }
        // Variants that share a type are listed together: `driver=bochs|cloop|dmg: file:...`.
        var groups: [(values: [String], type: SchemaTypeRef)] = []
        for variant in object.variants {
            if let index = groups.firstIndex(where: { $0.type == variant.type }) {
                groups[index].values.append(variant.value)
            } else {
                groups.append(([variant.value], variant.type))
            }
        }
        for group in groups {
            guard case .object(let variant) = schema[group.type].kind else { continue }
            let members = variant.members.compactMap(memberText)
            guard !members.isEmpty else { continue }
            lines.append("  \(tag)=\(group.values.joined(separator: "|")): " + members.joined(separator: " "))
        }
        return lines
    }

    private func memberText(_ member: SchemaMember) -> String? {
        guard includeDeprecated || !member.isDeprecated else { return nil }
        return member.name + ":" + render(member.type, depth: 0) + (member.isOptional ? "?" : "")
    }

    /// `str`, `{a,b}`, `[T]`, `A|B`, `{m:T?,...}` for small objects at the top, else the derived name.
    /// Types nested deeper than this are shown by their derived name (a type can contain itself).
    static let maximumRenderDepth = 4

    func render(_ reference: SchemaTypeRef, depth: Int) -> String {
        guard depth <= Self.maximumRenderDepth else { return schema.displayName(of: reference) }
        let type = schema[reference]
        switch type.kind {
        case .builtin(let builtin):
            return builtin.name
        case .enumeration(let enumeration):
            let values = enumeration.values.filter { includeDeprecated || !$0.isDeprecated }.map(\.name)
            return "{" + values.joined(separator: ",") + "}"
        case .array(let element):
            return "[" + render(element, depth: depth + 1) + "]"
        case .object(let object):
            if object.members.isEmpty && object.variants.isEmpty { return "{}" }
            guard depth == 0, object.tag == nil, object.members.count <= 8 else { return schema.displayName(of: reference) }
            let members = object.members.filter { includeDeprecated || !$0.isDeprecated }.map {
                $0.name + ":" + render($0.type, depth: depth + 1) + ($0.isOptional ? "?" : "")
            }
            return "{" + members.joined(separator: ",") + "}"
        case .alternate:
            return schema.alternateBranches(of: reference).map { render($0, depth: depth + 1) }.joined(separator: "|")
        case .unknown:
            return "any"
        }
    }

    func memberJSON(_ member: SchemaMember) -> JSON {
        var object: JSONObject = [
            "name": .string(member.name), "type": .string(render(member.type, depth: 0)),
            "optional": .bool(member.isOptional),
        ]
        if let value = member.defaultValue { object["default"] = value }
        if !member.features.isEmpty { object["features"] = .array(member.features.map(JSON.string)) }
        if case .enumeration(let enumeration) = schema[member.type].kind {
            object["values"] = .array(enumeration.values.map { .string($0.name) })
        }
        return .object(object)
    }

    /// `{KEY: [members], "variants": {"tag", "cases": [{"value", KEY: [members]}]}}`.
    mutating func membersJSON(_ reference: SchemaTypeRef, key: String) -> JSONObject {
        guard case .object(let object) = schema[reference].kind else {
            return [key: .string(render(reference, depth: 0))]
        }
        var result: JSONObject = [key: .array(object.members.map(memberJSON))]
        if let tag = object.tag {
            let cases: [JSON] = object.variants.map { variant in
                var members: [JSON] = []
                if case .object(let shape) = schema[variant.type].kind { members = shape.members.map(memberJSON) }
                return ["value": .string(variant.value), key: .array(members)]
            }
            result["variants"] = ["tag": .string(tag), "cases": .array(cases)]
        }
        return result
    }
}
