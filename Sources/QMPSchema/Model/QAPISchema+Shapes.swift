public import QMPWire

/// The members an object value can have, as the union tags in the value decide them.
///
/// A union's variant can itself be a union with a tag of its own (`migrate`'s `channels[].addr`: `transport`
/// picks `SocketAddress`, whose `type` picks `InetSocketAddress`), to any depth; ``layers`` holds one object per
/// level that the value's tags select, the union's own first.
public struct SchemaObjectShape: Sendable, Hashable {
    /// The object itself, then the variant each tag selects, in order.
    public var layers: [SchemaObject]
    /// The innermost union whose tag the value does not give (or gives a value the tag's enumeration does not
    /// have): any of its variants' members may still come.
    public var undetermined: SchemaObject?

    /// The member `name` of any layer.
    public func member(named name: String) -> SchemaMember? {
        for layer in layers {
            if let member = layer.member(named: name) { return member }
        }
        return nil
    }

    /// The members of every layer, the outermost first.
    public var members: [SchemaMember] { layers.flatMap(\.members) }
}

extension QAPISchema {
    /// The most union levels followed in one object: deeper (or self-referencing) unions stop there.
    static let maximumUnionDepth = 32

    /// The members `object` can have as a value of `shape`: the shape's own, then those of the variant its tag
    /// selects, following the variant's own tag and so on (nested unions, to any depth; a variant that refers back
    /// to a level already followed ends the walk).
    public func shape(of shape: SchemaObject, given object: JSONObject) -> SchemaObjectShape {
        var result = SchemaObjectShape(layers: [shape], undetermined: nil)
        var visited = Set<SchemaTypeRef>()
        var current = shape
        while let tag = current.tag, result.layers.count < Self.maximumUnionDepth {
            guard let value = object[tag]?.stringValue, tagAccepts(current, tag: tag, value: value) else {
                result.undetermined = current
                break
            }
            guard let reference = current.variant(for: value), visited.insert(reference).inserted,
                case .object(let next) = self[reference].kind
            else { break }
            result.layers.append(next)
            current = next
        }
        return result
    }

    /// Whether `value` is one of the values of the union's tag (`true` when the tag is not an enumeration).
    func tagAccepts(_ shape: SchemaObject, tag: String, value: String) -> Bool {
        guard let member = shape.member(named: tag), case .enumeration(let values) = self[member.type].kind else {
            return true
        }
        return values.value(named: value) != nil
    }

    /// The names of the members that any variant of the union `shape` brings, nested variants included, each once,
    /// in schema order.
    public func variantMemberNames(of shape: SchemaObject) -> [String] {
        var seen = Set<String>()
        var names: [String] = []
        var visited = Set<SchemaTypeRef>()
        var pending = shape.variants.map(\.type)
        while let reference = pending.first {
            pending.removeFirst()
            guard visited.insert(reference).inserted, case .object(let object) = self[reference].kind else { continue }
            for member in object.members where seen.insert(member.name).inserted { names.append(member.name) }
            pending += object.variants.map(\.type)
        }
        return names
    }

    /// The branches of the alternate `reference` with nested alternates replaced by their own branches, each type
    /// once (an alternate that contains itself ends there); `[reference]` for a type that is not an alternate.
    public func alternateBranches(of reference: SchemaTypeRef) -> [SchemaTypeRef] {
        var result: [SchemaTypeRef] = []
        var visited = Set<SchemaTypeRef>()
        var pending = [reference]
        while !pending.isEmpty {
            let next = pending.removeFirst()
            guard visited.insert(next).inserted else { continue }
            if case .alternate(let branches) = self[next].kind {
                pending.insert(contentsOf: branches, at: 0)
            } else {
                result.append(next)
            }
        }
        return result
    }
}
