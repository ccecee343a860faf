import QMP
import QMPSchema
import Testing

/// The shape of `migrate`'s `channels` on QEMU 8.2 and later: a union (`MigrationAddress`, tag `transport`) whose
/// `socket` variant is itself a union (`SocketAddress`, tag `type`). Names are unmasked here; the live tests check
/// the same command against real QEMUs.
let nestedUnionSchemaText = #"""
[
  {"name": "str", "meta-type": "builtin", "json-type": "string"},
  {"name": "int", "meta-type": "builtin", "json-type": "int"},
  {"name": "bool", "meta-type": "builtin", "json-type": "boolean"},
  {"name": "migrate", "meta-type": "command", "arg-type": "MigrateArgs", "ret-type": "Empty"},
  {"name": "Empty", "meta-type": "object", "members": []},
  {"name": "MigrateArgs", "meta-type": "object", "members": [
    {"name": "uri", "type": "str", "default": null},
    {"name": "channels", "type": "[MigrationChannel]", "default": null},
    {"name": "detach", "type": "bool", "default": null}]},
  {"name": "[MigrationChannel]", "meta-type": "array", "element-type": "MigrationChannel"},
  {"name": "MigrationChannel", "meta-type": "object", "members": [
    {"name": "channel-type", "type": "MigrationChannelType"}, {"name": "addr", "type": "MigrationAddress"}]},
  {"name": "MigrationChannelType", "meta-type": "enum", "values": ["main"]},
  {"name": "MigrationAddress", "meta-type": "object", "tag": "transport",
   "members": [{"name": "transport", "type": "MigrationAddressType"}],
   "variants": [{"case": "socket", "type": "SocketAddress"}, {"case": "exec", "type": "MigrationExecCommand"},
                {"case": "file", "type": "FileMigrationArgs"}]},
  {"name": "MigrationAddressType", "meta-type": "enum", "values": ["socket", "exec", "rdma", "file"]},
  {"name": "SocketAddress", "meta-type": "object", "tag": "type",
   "members": [{"name": "type", "type": "SocketAddressType"}],
   "variants": [{"case": "inet", "type": "InetSocketAddress"}, {"case": "unix", "type": "UnixSocketAddress"},
                {"case": "fd", "type": "FdSocketAddress"}]},
  {"name": "SocketAddressType", "meta-type": "enum", "values": ["inet", "unix", "vsock", "fd"]},
  {"name": "InetSocketAddress", "meta-type": "object", "members": [
    {"name": "host", "type": "str"}, {"name": "port", "type": "str"},
    {"name": "numeric", "type": "bool", "default": null}, {"name": "ipv4", "type": "bool", "default": null}]},
  {"name": "UnixSocketAddress", "meta-type": "object", "members": [{"name": "path", "type": "str"}]},
  {"name": "FdSocketAddress", "meta-type": "object", "members": [{"name": "str", "type": "str"}]},
  {"name": "MigrationExecCommand", "meta-type": "object", "members": [{"name": "args", "type": "[str]"}]},
  {"name": "[str]", "meta-type": "array", "element-type": "str"},
  {"name": "FileMigrationArgs", "meta-type": "object", "members": [
    {"name": "filename", "type": "str"}, {"name": "offset", "type": "int"}]},
  {"name": "boom", "meta-type": "command", "arg-type": "BoomArgs", "ret-type": "Loop"},
  {"name": "BoomArgs", "meta-type": "object", "members": [
    {"name": "x", "type": "Loop"}, {"name": "y", "type": "[Self]", "default": null},
    {"name": "z", "type": "Knot", "default": null}]},
  {"name": "Loop", "meta-type": "alternate", "members": [{"type": "Loop"}, {"type": "[Self]"}]},
  {"name": "[Self]", "meta-type": "array", "element-type": "[Self]"},
  {"name": "Knot", "meta-type": "object", "tag": "kind",
   "members": [{"name": "kind", "type": "KnotKind"}, {"name": "next", "type": "Knot", "default": null}],
   "variants": [{"case": "again", "type": "Knot"}, {"case": "loop", "type": "Loop"}]},
  {"name": "KnotKind", "meta-type": "enum", "values": ["again", "loop"]}
]
"""#

let nestedUnions: QAPISchema = {
    do {
        return try QAPISchema(parsing: nestedUnionSchemaText)
    } catch {
        fatalError("the nested-union schema does not decode: \(error)")
    }
}()

/// Validation follows a variant's own tag (nested unions), with suggestions and missing members inside variants.
@Suite struct NestedUnionTests {
    private func channels(_ addr: String) -> JSONObject {
        arguments(#"channels=[{"channel-type":"main","addr":\#(addr)}]"#)
    }

    /// The reproducer of issue 18: `unknown argument 'channels[0].addr.host'` for a valid command.
    @Test func acceptsTheMembersOfANestedVariant() {
        let valid = [
            #"{"transport":"socket","type":"inet","host":"127.0.0.1","port":"4444"}"#,
            #"{"transport":"socket","type":"inet","host":"::1","port":"4444","ipv4":false}"#,
            #"{"transport":"socket","type":"unix","path":"/tmp/m.sock"}"#,
            #"{"transport":"exec","args":["cat"]}"#,
            #"{"transport":"file","filename":"/tmp/m","offset":0}"#,
        ]
        for addr in valid {
            let report = nestedUnions.validate(command: "migrate", arguments: channels(addr))
            #expect(report.isValid, "\(addr): \(report.errors)")
        }
    }

    @Test func missingMemberInsideANestedVariant() throws {
        let report = nestedUnions.validate(
            command: "migrate", arguments: channels(#"{"transport":"socket","type":"inet","port":"4444"}"#))
        #expect(report.errors.map(\.code) == [.missingArgument])
        #expect(report.errors.first?.path == "channels[0].addr.host")
        #expect(report.errors.first?.description == "missing required argument 'channels[0].addr.host' for migrate")
    }

    @Test func misspeltMemberOfANestedVariantGetsASuggestion() throws {
        let report = nestedUnions.validate(
            command: "migrate",
            arguments: channels(#"{"transport":"socket","type":"inet","hots":"127.0.0.1","port":"4444"}"#))
        let unknown = try #require(report.errors.first { $0.code == .unknownArgument })
        #expect(unknown.path == "channels[0].addr.hots")
        #expect(unknown.suggestion == "channels[0].addr.host")
        #expect(report.errors.contains { $0.code == .missingArgument && $0.path == "channels[0].addr.host" })
    }

    @Test func memberOfAnotherNestedVariantIsUnknown() throws {
        let report = nestedUnions.validate(
            command: "migrate",
            arguments: channels(#"{"transport":"socket","type":"unix","path":"/tmp/s","host":"h"}"#))
        #expect(report.errors.map(\.path) == ["channels[0].addr.host"])
        #expect(report.errors.map(\.code) == [.unknownArgument])
    }

    @Test func badNestedTagValueSuggestsAndDoesNotBlameTheVariantMembers() throws {
        let report = nestedUnions.validate(
            command: "migrate",
            arguments: channels(#"{"transport":"socket","type":"inte","host":"127.0.0.1","port":"4444"}"#))
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.code == .invalidValue)
        #expect(report.errors.first?.path == "channels[0].addr.type")
        #expect(report.errors.first?.suggestion == "inet")
    }

    @Test func wrongTypeInsideANestedVariant() throws {
        let report = nestedUnions.validate(
            command: "migrate",
            arguments: channels(#"{"transport":"file","filename":"/tmp/m","offset":"zero"}"#))
        #expect(report.errors.map(\.code) == [.wrongType])
        #expect(report.errors.first?.path == "channels[0].addr.offset")
    }

    // MARK: - Types that contain themselves (issue 20's `boom`)

    @Test func selfReferencingAlternateAndArrayTerminate() throws {
        let wrong = nestedUnions.validate(command: "boom", arguments: arguments("x=1"))
        #expect(wrong.errors.map(\.code) == [.wrongType])
        #expect(wrong.errors.first?.path == "x")
        #expect(nestedUnions.validate(command: "boom", arguments: arguments("x=[[[]],[]]", "y=[[]]")).isValid)
        let nested = nestedUnions.validate(command: "boom", arguments: arguments("x=[]", "y=[[1]]"))
        #expect(nested.errors.map(\.path) == ["y[0][0]"])
        let signature = try #require(nestedUnions.signature(ofCommand: "boom"))
        #expect(signature.hasPrefix("boom x:"))
        #expect(nestedUnions.description(ofCommand: "boom") != nil)
        _ = SchemaCompleter(schema: nestedUnions).completions(forLineBeforeCursor: "boom x=")
    }

    @Test func selfReferencingUnionTerminates() throws {
        let report = nestedUnions.validate(
            command: "boom", arguments: arguments("x=[]", #"z={"kind":"again","nxet":{"kind":"loop"}}"#))
        let unknown = try #require(report.errors.first { $0.code == .unknownArgument })
        #expect(unknown.path == "z.nxet")
        #expect(unknown.suggestion == "z.next")
        #expect(nestedUnions.signature(ofCommand: "boom") != nil)
        _ = SchemaCompleter(schema: nestedUnions).completions(forLineBeforeCursor: "boom z.kind=again z.")
    }

    // MARK: - Introspection that leaves commands out

    /// QEMU 2.5 to 2.7 do not list `device_add` and `qmp_capabilities` in `query-qmp-schema`, though they have them.
    @Test func commandsOldIntrospectionOmits() {
        #expect(nestedUnions.command(named: "device_add") == nil)
        #expect(nestedUnions.validate(command: "device_add", arguments: arguments("driver=e1000", "id=n1")).isValid)
        #expect(nestedUnions.validate(command: "qmp_capabilities", arguments: [:]).isValid)
        #expect(!nestedUnions.validate(command: "device_ad", arguments: [:]).isValid)
    }
}
