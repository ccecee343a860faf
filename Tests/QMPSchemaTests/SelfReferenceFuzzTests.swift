import QMP
import QMPSchema
import QMPTestSupport
import QMPWire
import Testing

/// Random schemas whose arrays, alternates, objects and unions refer to each other and to themselves: validation,
/// signatures, descriptions and completion terminate on every one, and a value built to fit the schema is valid.
@Suite struct SelfReferenceFuzzTests {
    /// One random schema: builtins, then `count` types that may refer to any type (themselves included), then a
    /// command `boom` whose arguments are the first object type.
    struct RandomSchema {
        var entities: [JSON] = []
        /// Type names by index (`T0`...); kinds decide how a fitting value is built.
        var kinds: [Kind] = []

        enum Kind {
            case enumeration([String])
            case array(element: Int)
            case alternate([Int])
            /// Members (name, type index or builtin name, optional), a union's tag and variants (value, type index).
            case object(members: [(String, Reference, Bool)], tag: String?, variants: [(String, Int)])
        }

        enum Reference {
            case builtin(String)
            case type(Int)
        }

        static let builtins = ["str", "int", "bool", "number"]

        init(seed: UInt64, count: Int = 8) {
            var random = SeededRandom(seed: seed)
            for builtin in Self.builtins {
                let jsonType = ["str": "string", "int": "int", "bool": "boolean", "number": "number"][builtin]!
                entities.append(["name": .string(builtin), "meta-type": "builtin", "json-type": .string(jsonType)])
            }
            var memberNumber = 0
            // T0 is always an object (the command's arguments); the rest are drawn.
            for index in 0..<count {
                let draw = index == 0 ? 3 : Int.random(in: 0..<5, using: &random)
                switch draw {
                case 0:
                    kinds.append(.enumeration(["a\(index)", "b\(index)"]))
                case 1:
                    kinds.append(.array(element: Int.random(in: 0..<count, using: &random)))
                case 2:
                    // Alternates end with a builtin branch, so a fitting value always exists.
                    var branches = [Int.random(in: 0..<count, using: &random)]
                    if Bool.random(using: &random) { branches.append(index) }  // itself
                    kinds.append(.alternate(branches))
                default:
                    var members: [(String, Reference, Bool)] = []
                    for _ in 0..<Int.random(in: 1...3, using: &random) {
                        memberNumber += 1
                        // Required members are builtins (a required self-reference has no finite value).
                        if Bool.random(using: &random) {
                            members.append(("m\(memberNumber)", .builtin(Self.builtins.randomElement(using: &random)!), false))
                        } else {
                            members.append(("m\(memberNumber)", .type(Int.random(in: 0..<count, using: &random)), true))
                        }
                    }
                    var tag: String?
                    var variants: [(String, Int)] = []
                    if draw == 4 {
                        memberNumber += 1
                        tag = "tag\(memberNumber)"
                        for value in ["x", "y"] {
                            variants.append((value, Int.random(in: 0..<count, using: &random)))
                        }
                    }
                    kinds.append(.object(members: members, tag: tag, variants: variants))
                }
            }
            // Variants must be objects: point the others at T0 (which may be the union itself). Alternate branches
            // must take distinct JSON types (as in QAPI): only arrays, objects and alternates, and the `str` added.
            for index in kinds.indices {
                if case .alternate(let branches) = kinds[index] {
                    kinds[index] = .alternate(branches.map { branch in
                        switch kinds[branch] {
                        case .enumeration: return 0
                        default: return branch
                        }
                    })
                }
                if case .object(let members, let tag, let variants) = kinds[index], tag != nil {
                    let fixed = variants.map { (value, type) -> (String, Int) in
                        if case .object = kinds[type] { return (value, type) }
                        return (value, 0)
                    }
                    kinds[index] = .object(members: members, tag: tag, variants: fixed)
                }
            }
            for (index, kind) in kinds.enumerated() {
                entities.append(entity(index, kind))
            }
            entities.append(["name": "boom", "meta-type": "command", "arg-type": "T0", "ret-type": "T0"])
            entities.append(["name": "BOOM_EVENT", "meta-type": "event", "arg-type": "T0"])
        }

        func name(_ reference: Reference) -> String {
            switch reference {
            case .builtin(let name): return name
            case .type(let index): return "T\(index)"
            }
        }

        func entity(_ index: Int, _ kind: Kind) -> JSON {
            switch kind {
            case .enumeration(let values):
                return ["name": .string("T\(index)"), "meta-type": "enum", "values": .array(values.map(JSON.string))]
            case .array(let element):
                // Arrays are named as QEMU names them, `[ELEMENT]`; the type list refers to them by that name.
                return ["name": .string("T\(index)"), "meta-type": "array", "element-type": .string("T\(element)")]
            case .alternate(let branches):
                let members = branches.map { JSON.object(["type": .string("T\($0)")]) } + [["type": "str"]]
                return ["name": .string("T\(index)"), "meta-type": "alternate", "members": .array(members)]
            case .object(let members, let tag, let variants):
                var list: [JSON] = members.map { member in
                    var object: JSONObject = ["name": .string(member.0), "type": .string(name(member.1))]
                    if member.2 { object["default"] = .null }
                    return .object(object)
                }
                var object: JSONObject = ["name": .string("T\(index)"), "meta-type": "object"]
                if let tag {
                    list.append(["name": .string(tag), "type": .string("E\(index)")])
                    object["tag"] = .string(tag)
                    object["variants"] = .array(variants.map { ["case": .string($0.0), "type": .string("T\($0.1)")] })
                }
                object["members"] = .array(list)
                return .object(object)
            }
        }

        /// The enumerations of the union tags.
        var tagEnumerations: [JSON] {
            kinds.indices.compactMap { index in
                guard case .object(_, let tag, _) = kinds[index], tag != nil else { return nil }
                return ["name": .string("E\(index)"), "meta-type": "enum", "values": ["x", "y"]]
            }
        }

        var text: String { JSON.array(entities + tagEnumerations).serialized() }

        /// A value of type `index` that fits the schema: required members only, one level of each union.
        func fittingValue(_ index: Int, depth: Int = 0) -> JSON {
            switch kinds[index] {
            case .enumeration(let values): return .string(values[0])
            case .array: return .array([])
            case .alternate: return .string("text")  // the `str` branch (an earlier enumeration branch may take it)
            case .object:
                var object: JSONObject = [:]
                fill(index, into: &object, visited: [])
                return .object(object)
            }
        }

        /// The members of object `index` and of the variant its tag picks (nested unions, each type once).
        func fill(_ index: Int, into object: inout JSONObject, visited: Set<Int>) {
            guard case .object(let members, let tag, let variants) = kinds[index] else { return }
            for (name, reference, optional) in members where !optional {
                if case .builtin(let builtin) = reference { object[name] = Self.sample(builtin) }
            }
            guard let tag else { return }
            object[tag] = .string(variants[0].0)
            let variant = variants[0].1
            // Validation follows a variant once: a union whose variant refers back stops there too.
            guard !visited.contains(variant) else { return }
            fill(variant, into: &object, visited: visited.union([variant]))
        }

        static func sample(_ builtin: String) -> JSON {
            switch builtin {
            case "str": return "s"
            case "int": return 1
            case "bool": return true
            default: return 1.5
            }
        }
    }

    @Test(arguments: 0..<200)
    func randomSelfReferencingSchema(seed: Int) throws {
        let random = RandomSchema(seed: UInt64(seed))
        let schema = try QAPISchema(parsing: random.text)
        // Terminates, whatever the value.
        var values = SeededRandom(seed: UInt64(seed) &+ 1000)
        for _ in 0..<10 {
            let value = Self.randomJSON(&values, depth: 0)
            _ = schema.validate(command: "boom", arguments: value.objectValue ?? ["m1": value])
        }
        #expect(schema.signature(ofCommand: "boom")?.hasPrefix("boom") == true)
        #expect(schema.signature(ofEvent: "BOOM_EVENT") != nil)
        #expect(schema.description(ofCommand: "boom") != nil)
        let completer = SchemaCompleter(schema: schema)
        _ = completer.completions(forLineBeforeCursor: "boom m1.")
        _ = completer.completions(forLineBeforeCursor: "boom m2=")
        for index in random.kinds.indices { _ = schema.displayName(of: SchemaTypeRef(index: index)) }
        // A value built to fit is valid.
        guard case .object(let fitting) = random.fittingValue(0) else { return }
        let report = schema.validate(command: "boom", arguments: fitting)
        #expect(report.isValid, "seed \(seed): \(fitting): \(report.errors)\n\(random.text)")
    }

    static func randomJSON(_ random: inout SeededRandom, depth: Int) -> JSON {
        switch Int.random(in: 0..<(depth > 4 ? 4 : 7), using: &random) {
        case 0: return .string(["s", "a1", "x", "m1"].randomElement(using: &random)!)
        case 1: return .int(Int64.random(in: -2...2, using: &random))
        case 2: return .bool(Bool.random(using: &random))
        case 3: return .null
        case 4, 5:
            var object: JSONObject = [:]
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                let key = ["m1", "m2", "m3", "tag5", "x", "m4"].randomElement(using: &random)!
                object[key] = randomJSON(&random, depth: depth + 1)
            }
            return .object(object)
        default:
            return .array((0..<Int.random(in: 0...2, using: &random)).map { _ in randomJSON(&random, depth: depth + 1) })
        }
    }
}
