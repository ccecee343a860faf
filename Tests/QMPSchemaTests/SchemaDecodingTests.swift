import QMP
import QMPSchema
import Testing

/// The model built from QEMU 7.2's schema (captured to a fixture) and from hand-made edge cases.
@Suite struct SchemaDecodingTests {
    @Test func decodesEveryEntityOfQEMU72() throws {
        #expect(qemu72.commands.count == 216)
        #expect(qemu72.events.count == 52)
        #expect(qemu72.commandNames.contains("blockdev-change-medium"))
        #expect(qemu72.commandNames == qemu72.commandNames.sorted())
        // No reference is left dangling: every type the schema names is defined in it.
        #expect(!qemu72.types.contains { if case .unknown = $0.kind { return true } else { return false } })
    }

    @Test func resolvesCommandArguments() throws {
        let command = try #require(qemu72.command(named: "blockdev-change-medium"))
        guard case .object(let object) = qemu72[command.argumentType].kind else {
            Issue.record("arguments are not an object")
            return
        }
        #expect(object.members.map(\.name) == ["device", "id", "filename", "format", "force", "read-only-mode"])
        let filename = try #require(object.member(named: "filename"))
        #expect(!filename.isOptional)
        #expect(qemu72[filename.type].name == "str")
        let device = try #require(object.member(named: "device"))
        #expect(device.isOptional && device.isDeprecated)
        let mode = try #require(object.member(named: "read-only-mode"))
        guard case .enumeration(let values) = qemu72[mode.type].kind else {
            Issue.record("read-only-mode is not an enumeration")
            return
        }
        #expect(values.names == ["retain", "read-only", "read-write"])
        #expect(qemu72.displayName(of: mode.type) == "blockdev-change-medium.read-only-mode")
        #expect(qemu72.displayName(of: command.argumentType) == "blockdev-change-medium")
        #expect(qemu72.displayName(of: command.returnType) == "{}")
    }

    @Test func namesMaskedTypesAfterTheirFirstUse() throws {
        let block = try #require(qemu72.command(named: "query-block"))
        #expect(qemu72.displayName(of: block.returnType) == "[query-block.return]")
        let add = try #require(qemu72.command(named: "blockdev-add"))
        guard case .object(let options) = qemu72[add.argumentType].kind else {
            Issue.record("blockdev-add takes no object")
            return
        }
        #expect(options.tag == "driver")
        let file = try #require(options.variant(for: "file"))
        #expect(qemu72.displayName(of: file) == "blockdev-add[driver=file]")
        let cache = try #require(options.member(named: "cache"))
        #expect(qemu72.displayName(of: cache.type) == "blockdev-add.cache")
        let deleted = try #require(qemu72.event(named: "DEVICE_DELETED"))
        #expect(qemu72.displayName(of: deleted.dataType) == "DEVICE_DELETED")
    }

    @Test func followsUnionsAlternatesAndArrays() throws {
        let add = try #require(qemu72.command(named: "blockdev-add"))
        guard case .object(let options) = qemu72[add.argumentType].kind,
            let qcow2 = options.variant(for: "qcow2"), case .object(let qcow2Options) = qemu72[qcow2].kind,
            let fileMember = qcow2Options.member(named: "file"),
            case .alternate(let branches) = qemu72[fileMember.type].kind
        else {
            Issue.record("blockdev-add driver=qcow2 has no file alternate")
            return
        }
        // BlockdevRef: the options of a new node, or the name of an existing one.
        #expect(branches.map { qemu72[$0].name } == ["49", "str"])
        #expect(branches.first == add.argumentType)
        let names = try #require(qemu72.command(named: "query-named-block-nodes"))
        guard case .array(let element) = qemu72[names.returnType].kind, case .object = qemu72[element].kind else {
            Issue.record("query-named-block-nodes does not return an array of objects")
            return
        }
    }

    @Test func keepsFeaturesOfCommandsMembersAndValues() throws {
        #expect(try #require(qemu72.command(named: "drive-backup")).isDeprecated)
        #expect(try #require(qemu72.command(named: "x-query-roms")).isUnstable)
        #expect(try #require(qemu72.command(named: "migrate-recover")).allowsOutOfBand)
        let capability = qemu72.types.first { type in
            if case .enumeration(let values) = type.kind { return values.value(named: "x-colo") != nil }
            return false
        }
        guard case .enumeration(let values)? = capability?.kind else {
            Issue.record("no MigrationCapability enumeration")
            return
        }
        #expect(values.value(named: "x-colo")?.features == ["unstable"])
    }

    @Test func toleratesUnknownMetaTypesFieldsAndMissingTypes() throws {
        let thing = try #require(edgeCases.command(named: "do-thing"))
        #expect(thing.isUnstable && thing.allowsOutOfBand)
        guard case .object(let arguments) = edgeCases[thing.argumentType].kind else {
            Issue.record("do-thing takes no object")
            return
        }
        let gadget = try #require(arguments.member(named: "gadget"))
        #expect(edgeCases[gadget.type].kind == .unknown(metaType: "gizmo"))
        let weird = try #require(arguments.member(named: "weird"))
        #expect(edgeCases[weird.type].kind == .unknown(metaType: "missing"))
        guard case .object(let result) = edgeCases[thing.returnType].kind else {
            Issue.record("do-thing returns no object")
            return
        }
        let history = try #require(result.member(named: "history"))
        guard case .array(let element) = edgeCases[history.type].kind else {
            Issue.record("a missing [X] type is not made an array")
            return
        }
        #expect(edgeCases[element].name == "MissingElement")
        // A command without arg-type takes no arguments; one without ret-type returns anything.
        let bare = try #require(edgeCases.command(named: "bare-thing"))
        #expect(edgeCases.displayName(of: bare.argumentType) == "{}")
        guard case .builtin(let returns) = edgeCases[bare.returnType].kind else {
            Issue.record("bare-thing's reply is not `any`")
            return
        }
        #expect(returns.jsonType == "value")
        // Unmasked names stay; the enum's `members` win over `values` and carry features.
        #expect(edgeCases.reference(named: "Mode").map(edgeCases.displayName(of:)) == "Mode")
        guard case .enumeration(let mode)? = edgeCases.type(named: "Mode")?.kind else {
            Issue.record("Mode is not an enumeration")
            return
        }
        #expect(mode.value(named: "legacy")?.isDeprecated == true)
        guard case .enumeration(let kinds)? = edgeCases.type(named: "TargetKind")?.kind else {
            Issue.record("TargetKind is not an enumeration")
            return
        }
        #expect(kinds.names == ["disk", "net", "none"])
        // The first definition of a name wins; entities that are not objects or have no name are skipped.
        guard case .object? = edgeCases.type(named: "Empty")?.kind else {
            Issue.record("a duplicate replaced the first definition")
            return
        }
        #expect(edgeCases.commands.map(\.name) == ["do-thing", "old-thing", "bare-thing"])
        #expect(edgeCases.events.map(\.name) == ["THING_DONE"])
    }

    @Test func sizedIntegersHaveRanges() {
        #expect(SchemaBuiltin(name: "uint8", jsonType: "int").integerRange == 0...255)
        #expect(SchemaBuiltin(name: "int16", jsonType: "int").integerRange == -32768...32767)
        #expect(SchemaBuiltin(name: "size", jsonType: "int").integerRange == 0...Int128(UInt64.max))
        #expect(SchemaBuiltin(name: "str", jsonType: "string").integerRange == nil)
    }

    @Test func rejectsTextThatIsNoSchema() throws {
        #expect(throws: SchemaDecodingError.self) { try QAPISchema(parsing: "{\"return\": 1}") }
        #expect(throws: SchemaDecodingError.self) { try QAPISchema(parsing: "[{") }
        let empty = try QAPISchema(parsing: "{\"return\": []}")
        #expect(empty.commands.isEmpty)
        #expect(QAPISchema(entities: []).command(named: "x") == nil)
    }
}
