import Synchronization

extension QAPISchema {
    /// A readable name for a type: the schema's own name when it is not masked (`str`, `[int]`), else derived from
    /// the first place the type is used, breadth first from the commands (then the events): a command's arguments
    /// are named after the command (`blockdev-add`), its reply `COMMAND.return`, an event's data after the event, a
    /// member's type `OWNER.member` (`blockdev-add.cache`), a union's variant `OWNER[tag=value]`
    /// (`blockdev-add[driver=file]`), an alternate's branch `OWNER(object)`; arrays are `[ELEMENT]`, the empty
    /// object `{}`, a type nothing uses `#NUMBER`.
    ///
    /// Computed for all types on first use (not while decoding, which stays fast), then kept.
    public func displayName(of reference: SchemaTypeRef) -> String {
        displayNames.names(for: self)[reference.index]
    }
}

/// The derived names of one schema's types, computed once on demand.
final class DisplayNameCache: Sendable {
    private let storage = Mutex<[String]?>(nil)

    func names(for schema: QAPISchema) -> [String] {
        if let names = storage.withLock({ $0 }) { return names }
        let names = DisplayNameCache.compute(schema)
        storage.withLock { $0 = names }
        return names
    }

    static func compute(_ schema: QAPISchema) -> [String] {
        let types = schema.types
        var names = types.map(\.name)
        var named = [Bool](repeating: false, count: types.count)
        for index in types.indices {
            let type = types[index]
            if case .array = type.kind { continue }
            if case .object(let object) = type.kind, object.members.isEmpty, object.variants.isEmpty {
                names[index] = "{}"
                named[index] = true
            } else if !type.name.isMaskedName {
                named[index] = true
            }
        }
        var queue: [(SchemaTypeRef, String)] = []
        queue.reserveCapacity(types.count * 2)
        for command in schema.commands {
            queue.append((command.argumentType, command.name))
            queue.append((command.returnType, command.name + ".return"))
        }
        for event in schema.events { queue.append((event.dataType, event.name)) }
        var head = 0
        while head < queue.count {
            let (reference, name) = queue[head]
            head += 1
            let index = reference.index
            if case .array(let element) = types[index].kind {
                // Arrays are named after their element, which takes the name of the use.
                if !named[element.index] { queue.append((element, name)) }
                continue
            }
            guard !named[index] else { continue }
            named[index] = true
            names[index] = name
            switch types[index].kind {
            case .object(let object):
                for member in object.members where !named[member.type.index] {
                    queue.append((member.type, name + "." + member.name))
                }
                let tag = object.tag ?? "case"
                for variant in object.variants where !named[variant.type.index] {
                    queue.append((variant.type, name + "[" + tag + "=" + variant.value + "]"))
                }
            case .alternate(let branches):
                for branch in branches where !named[branch.index] {
                    queue.append((branch, name + "(" + types[branch.index].kind.branchWord + ")"))
                }
            default:
                break
            }
        }
        for index in types.indices where !named[index] {
            if case .array = types[index].kind { continue }
            names[index] = "#" + types[index].name
        }
        var done = [Bool](repeating: false, count: types.count)
        func nameArray(_ index: Int) {
            guard !done[index] else { return }
            done[index] = true
            guard case .array(let element) = types[index].kind else { return }
            nameArray(element.index)
            names[index] = "[" + names[element.index] + "]"
        }
        for index in types.indices { nameArray(index) }
        return names
    }
}

extension SchemaType.Kind {
    /// What an alternate's branch is, for its derived name.
    var branchWord: String {
        switch self {
        case .builtin(let builtin): return builtin.name
        case .enumeration: return "enum"
        case .array: return "array"
        case .object: return "object"
        case .alternate: return "alternate"
        case .unknown: return "value"
        }
    }
}

extension String {
    /// QEMU masks type names as decimal numbers.
    var isMaskedName: Bool {
        !isEmpty && utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
