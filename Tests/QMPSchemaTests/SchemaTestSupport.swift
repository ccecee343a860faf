import QMPSchema
import QMP

/// The schema of QEMU 7.2, decoded once for all tests.
let qemu72: QAPISchema = {
    do {
        return try QAPISchema(parsing: Fixtures.qemu72Schema)
    } catch {
        fatalError("the QEMU 7.2 fixture does not decode: \(error)")
    }
}()

/// A hand-made schema with unmasked names and the edge cases real schemas rarely show all at once.
let edgeCases: QAPISchema = {
    do {
        return try QAPISchema(parsing: edgeCaseSchemaText)
    } catch {
        fatalError("the edge-case schema does not decode: \(error)")
    }
}()

let edgeCaseSchemaText = #"""
[
  {"name": "str", "meta-type": "builtin", "json-type": "string"},
  {"name": "int", "meta-type": "builtin", "json-type": "int"},
  {"name": "uint8", "meta-type": "builtin", "json-type": "int"},
  {"name": "int16", "meta-type": "builtin", "json-type": "int"},
  {"name": "bool", "meta-type": "builtin", "json-type": "boolean"},
  {"name": "number", "meta-type": "builtin", "json-type": "number"},
  {"name": "null", "meta-type": "builtin", "json-type": "null"},
  {"name": "any", "meta-type": "builtin", "json-type": "value"},
  {"name": "do-thing", "meta-type": "command", "arg-type": "ThingArgs", "ret-type": "ThingResult",
   "features": ["unstable"], "allow-oob": true, "a-field-from-the-future": {"x": 1}},
  {"name": "old-thing", "meta-type": "command", "arg-type": "Empty", "ret-type": "Empty", "features": ["deprecated"]},
  {"name": "bare-thing", "meta-type": "command"},
  {"name": "Empty", "meta-type": "object", "members": []},
  {"name": "ThingArgs", "meta-type": "object", "members": [
    {"name": "mode", "type": "Mode"},
    {"name": "level", "type": "uint8", "default": null},
    {"name": "offset", "type": "int16", "default": null},
    {"name": "ratio", "type": "number", "default": null},
    {"name": "old-name", "type": "str", "default": null, "features": ["deprecated"]},
    {"name": "target", "type": "Target", "default": null},
    {"name": "tags", "type": "[str]", "default": null},
    {"name": "gadget", "type": "Gadget", "default": null},
    {"name": "opaque", "type": "any", "default": null},
    {"name": "limits", "type": "Limits", "default": null},
    {"name": "weird", "type": "NotInTheSchema", "default": null}
  ]},
  {"name": "Mode", "meta-type": "enum", "values": ["fast", "slow", "legacy"],
   "members": [{"name": "fast"}, {"name": "slow"}, {"name": "legacy", "features": ["deprecated"]}]},
  {"name": "Target", "meta-type": "alternate", "members": [{"type": "TargetSpec"}, {"type": "str"}, {"type": "null"}]},
  {"name": "TargetSpec", "meta-type": "object", "tag": "kind",
   "members": [{"name": "kind", "type": "TargetKind"}, {"name": "label", "type": "str", "default": null}],
   "variants": [{"case": "disk", "type": "DiskTarget"}, {"case": "net", "type": "NetTarget"}]},
  {"name": "TargetKind", "meta-type": "enum", "values": ["disk", "net", "none"]},
  {"name": "DiskTarget", "meta-type": "object", "members": [
    {"name": "path", "type": "str"}, {"name": "size", "type": "int", "default": null}]},
  {"name": "NetTarget", "meta-type": "object", "members": [{"name": "port", "type": "int"}]},
  {"name": "Limits", "meta-type": "object", "members": [
    {"name": "max", "type": "int"}, {"name": "burst", "type": "IntOrBool", "default": null}], "features": ["unstable"]},
  {"name": "IntOrBool", "meta-type": "alternate", "members": [{"type": "int"}, {"type": "bool"}]},
  {"name": "Gadget", "meta-type": "gizmo", "sprockets": 3},
  {"name": "[str]", "meta-type": "array", "element-type": "str"},
  {"name": "ThingResult", "meta-type": "object", "members": [
    {"name": "id", "type": "MissingType"}, {"name": "history", "type": "[MissingElement]"}]},
  {"name": "THING_DONE", "meta-type": "event", "arg-type": "ThingResult", "features": ["deprecated"]},
  42,
  "not an entity",
  {"meta-type": "command", "arg-type": "Empty"},
  {"name": "Empty", "meta-type": "enum", "values": ["a duplicate name is ignored"]}
]
"""#

/// Arguments from key=value words, as `qmpsh exec` builds them.
func arguments(_ words: String...) -> JSONObject {
    do {
        return try KeyValueArguments.parse(words)
    } catch {
        fatalError("bad test arguments \(words): \(error)")
    }
}
