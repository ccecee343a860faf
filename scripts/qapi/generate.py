#!/usr/bin/env python3
"""Writes qmpkit's typed QMP surface (Sources/QMPGenerated/Generated/*.swift) from QEMU's QAPI schema sources.

    scripts/qapi/generate.py [--newer DIR] [--live VERSION=SCHEMA.json ...] QEMU-SOURCE-DIR[:OLDER-DIR...]
        OUTPUT-DIR [TESTS-OUTPUT-DIR]

Reads QEMU-SOURCE-DIR/qapi/qapi-schema.json (following its includes) and QEMU-SOURCE-DIR/qga/qapi-schema.json.
From the schema it takes names, structure, `Since:` versions and features: facts. No doc text of QEMU's is copied;
each doc comment is built from those facts plus a link to QEMU's QMP reference.

`--newer DIR` adds the QAPI files of DIR (scripts/qapi/newer): definitions that QEMUs newer than the source tree
added, one file per QAPI module. `--live VERSION=FILE` reads a QEMU's introspected schema (`query-qmp-schema`, see
scripts/qapi/live-schema.py): the generator fails when a command or event of it is not typed, checks the argument
names of the `--newer` commands against it, and adds the arguments that QEMU has and the sources lack to the
commands (their `since` is the first live schema that has them).

The reader is this project's own: QAPI files are a sequence of JSON-like expressions with single-quoted strings
and `#` comments; doc blocks (`##` ... `##`) before a definition give its `Since:` and its members' `(since X)`.
"""
import json
import os
import re
import sys

# Members that appeared after this version are optional when decoding (typed decoding tolerates replies back to it).
OLDEST_DECODED = (2, 12)

QMP_REFERENCE = "https://www.qemu.org/docs/master/interop/qemu-qmp-ref.html"
QGA_REFERENCE = "https://www.qemu.org/docs/master/interop/qemu-ga-ref.html"

# Members whose `since` QEMU's docs do not give (or give wrong), found by running the typed replies against the QEMU
# matrix: (type, member) -> the version that added it.
LATE_MEMBERS = {
    ("SevInfo", "sev-type"): "9.1",
}

# ---------------------------------------------------------------------------------------------------------------
# Reading QAPI files


class Reader:
    def __init__(self, text, path):
        self.text, self.path, self.pos = text, path, 0

    def error(self, message):
        line = self.text.count("\n", 0, self.pos) + 1
        raise SystemExit(f"{self.path}:{line}: {message}")

    def skip(self, docs):
        """Skips blanks and comments; collects `##` doc blocks into docs."""
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c in " \t\r\n":
                self.pos += 1
            elif c == "#":
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                line = self.text[self.pos:end]
                if line.strip() == "##":
                    # A doc block: up to the next `##` line.
                    block_end = self.text.find("\n##", end)
                    if block_end < 0:
                        block_end = len(self.text)
                    docs.append(self.text[end + 1:block_end])
                    next_line = self.text.find("\n", block_end + 1)
                    self.pos = len(self.text) if next_line < 0 else next_line
                else:
                    self.pos = end
            else:
                return

    def value(self):
        self.skip([])
        c = self.text[self.pos]
        if c == "{":
            self.pos += 1
            result = {}
            self.skip([])
            if self.text[self.pos] == "}":
                self.pos += 1
                return result
            while True:
                key = self.value()
                self.skip([])
                if self.text[self.pos] != ":":
                    self.error("expected ':'")
                self.pos += 1
                result[key] = self.value()
                self.skip([])
                if self.text[self.pos] == ",":
                    self.pos += 1
                    continue
                if self.text[self.pos] == "}":
                    self.pos += 1
                    return result
                self.error("expected ',' or '}'")
        if c == "[":
            self.pos += 1
            result = []
            self.skip([])
            if self.text[self.pos] == "]":
                self.pos += 1
                return result
            while True:
                result.append(self.value())
                self.skip([])
                if self.text[self.pos] == ",":
                    self.pos += 1
                    continue
                if self.text[self.pos] == "]":
                    self.pos += 1
                    return result
                self.error("expected ',' or ']'")
        if c == "'":
            end = self.text.find("'", self.pos + 1)
            result = self.text[self.pos + 1:end]
            self.pos = end + 1
            return result
        for word, meaning in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return meaning
        self.error(f"unexpected {c!r}")


def parse_doc(block):
    """(symbol, since, {member: since}) from a doc block's text (lines starting with '#')."""
    lines = [re.sub(r"^# ?", "", line) for line in block.split("\n")]
    symbol = None
    since = None
    members = {}
    current = None
    for line in lines:
        m = re.match(r"^@([\w-]+):\s*(.*)$", line)
        if m and symbol is None and not m.group(2):
            symbol = m.group(1)
            continue
        if m:
            current = m.group(1)
            members[current] = m.group(2)
            continue
        m = re.match(r"^Since:\s*(.*)$", line)
        if m:
            since = m.group(1).strip() or since
            current = None
            continue
        if current is not None:
            if line.strip() == "" or re.match(r"^[A-Z][\w ]*:\s*$", line):
                current = None
            else:
                members[current] += " " + line.strip()
    member_since = {}
    for name, text in members.items():
        m = re.search(r"\(\s*[Ss]ince:?\s*v?(\d+\.\d+)", text)
        if m:
            member_since[name] = m.group(1)
    if since:
        m = re.search(r"(\d+\.\d+)", since)
        since = m.group(1) if m else None
    return symbol, since, member_since


def load(path, definitions, seen):
    path = os.path.normpath(path)
    if path in seen:
        return
    seen.add(path)
    with open(path) as handle:
        reader = Reader(handle.read(), path)
    module = os.path.splitext(os.path.basename(path))[0]
    while True:
        docs = []
        reader.skip(docs)
        if reader.pos >= len(reader.text):
            break
        expr = reader.value()
        if "include" in expr:
            load(os.path.join(os.path.dirname(path), expr["include"]), definitions, seen)
            continue
        if "pragma" in expr:
            continue
        since, member_since = None, {}
        for block in docs:
            symbol, block_since, block_members = parse_doc(block)
            if symbol is not None:
                since, member_since = block_since, block_members
        expr["_module"] = module
        expr["_since"] = since
        expr["_member_since"] = member_since
        definitions.append(expr)


# ---------------------------------------------------------------------------------------------------------------
# Names

KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
    "internal", "let", "open", "operator", "private", "protocol", "public", "static", "struct", "subscript",
    "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough", "for",
    "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is", "nil",
    "rethrows", "super", "self", "Self", "throw", "throws", "true", "try", "Type", "Any", "Protocol", "some", "any",
}
ACRONYMS = {
    "cpu": "CPU", "cpus": "CPUs", "pci": "PCI", "kvm": "KVM", "qom": "QOM", "id": "ID", "ids": "IDs", "vnc": "VNC",
    "uuid": "UUID", "tpm": "TPM", "acpi": "ACPI", "usb": "USB", "io": "IO", "url": "URL", "uri": "URI", "tls": "TLS",
    "rdma": "RDMA", "numa": "NUMA", "sev": "SEV", "sgx": "SGX", "gic": "GIC", "qmp": "QMP", "hmp": "HMP", "rx": "RX",
    "tx": "TX", "mac": "MAC", "ip": "IP", "json": "JSON", "nbd": "NBD", "iscsi": "ISCSI", "ssh": "SSH",
    "luks": "LUKS", "fd": "FD", "fds": "FDs", "vcpu": "VCPU", "vcpus": "VCPUs", "ram": "RAM", "rtc": "RTC",
}


def words(name):
    name = name.replace("_", "-").replace(".", "-").replace("+", "-")
    parts = []
    for piece in name.split("-"):
        parts += re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z0-9]+", piece)
    return [p for p in parts if p]


def upper_camel(name):
    result = ""
    for word in words(name):
        lower = word.lower()
        result += ACRONYMS.get(lower, word[:1].upper() + word[1:])
    if not result or result[0].isdigit():
        result = "_" + result
    return result


def lower_camel(name):
    parts = words(name)
    if not parts:
        return "_"
    first = parts[0].lower()
    rest = "".join(ACRONYMS.get(w.lower(), w[:1].upper() + w[1:]) for w in parts[1:])
    result = first + rest
    if result[0].isdigit():
        result = "_" + result
    if result in KEYWORDS:
        result = "`" + result + "`"
    return result


def version_tuple(text):
    if not text:
        return None
    m = re.match(r"(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


# ---------------------------------------------------------------------------------------------------------------
# The model

BUILTINS = {
    "str": "Swift.String", "int": "Swift.Int", "int8": "Swift.Int", "int16": "Swift.Int", "int32": "Swift.Int",
    "int64": "Swift.Int", "uint8": "Swift.Int", "uint16": "Swift.Int", "uint32": "Swift.Int",
    "uint64": "Swift.UInt64", "size": "Swift.UInt64", "number": "Swift.Double", "bool": "Swift.Bool",
    "null": "QAPINull", "any": "QMPWire.JSON", "QType": "Swift.String",
}


class Schema:
    def __init__(self, definitions, namespace, reference, origin):
        self.namespace, self.reference, self.origin = namespace, reference, origin
        self.prefix = ""
        self.types = {}
        self.commands, self.events = [], []
        for expr in definitions:
            for kind in ("struct", "union", "enum", "alternate", "command", "event"):
                if kind in expr:
                    expr["_kind"] = kind
                    expr["_name"] = expr[kind]
            kind = expr.get("_kind")
            if kind in ("command",):
                self.commands.append(expr)
            elif kind == "event":
                self.events.append(expr)
            elif kind:
                self.types[expr["_name"]] = expr
        self.swift_names = {}
        for name in self.types:
            self.swift_names[name] = upper_camel(name)

    def swift_type(self, type_ref):
        if isinstance(type_ref, list):
            return "[" + self.swift_type(type_ref[0]) + "]"
        if isinstance(type_ref, dict):
            return "QMPWire.JSON"
        if type_ref in BUILTINS:
            return BUILTINS[type_ref]
        if type_ref in self.swift_names:
            return self.namespace + "." + self.swift_names[type_ref]
        return "QMPWire.JSON"

    def members(self, data, owner):
        """[(wire name, type ref, optional, features, since)] of a `data` / `base` dictionary."""
        result = []
        if isinstance(data, str):
            target = self.types.get(data)
            if target is None:
                return result
            return self.all_members(target)
        for key, value in (data or {}).items():
            optional = key.startswith("*")
            name = key[1:] if optional else key
            features, conditional = [], False
            if isinstance(value, dict):
                features = [f if isinstance(f, str) else f.get("name") for f in value.get("features", [])]
                conditional = "if" in value
                value = value.get("type")
            since = (LATE_MEMBERS.get((owner.get("_name"), name)) or owner.get("_member_since", {}).get(name)
                     or owner.get("_since"))
            result.append((name, value, optional or conditional, features, since))
        return result

    def all_members(self, expr):
        """Own members (base included); for unions, the base only."""
        kind = expr.get("_kind")
        if kind == "struct":
            members = []
            if "base" in expr:
                members += self.members(expr["base"], expr)
            return members + self.members(expr.get("data"), expr)
        if kind == "union":
            return self.members(expr.get("base"), expr)
        return []

    def variant_members(self, expr, seen=None):
        """Members any variant of a union brings (nested unions followed), each name once."""
        seen = set() if seen is None else seen
        result = []
        for value in (expr.get("data") or {}).values():
            target = value.get("type") if isinstance(value, dict) else value
            variant = self.types.get(target)
            if variant is None or target in seen:
                continue
            seen.add(target)
            result += [(n, t, True, f, s) for (n, t, _, f, s) in self.all_members(variant)]
            if variant.get("_kind") == "union":
                result += self.variant_members(variant, seen)
        return result


# ---------------------------------------------------------------------------------------------------------------
# Live (introspected) schemas: coverage, and the arguments newer QEMUs added

# Introspection's built-in type names, as QAPI type references.
LIVE_BUILTINS = {"str": "str", "int": "int", "number": "number", "bool": "bool", "null": "null", "any": "any"}


def live_type(schema, by_name, type_name):
    """A QAPI type reference for an introspected (masked) type: built-ins as they are, an enumeration by its values
    when exactly one enumeration of the sources has them, anything else as `any`."""
    if type_name in LIVE_BUILTINS:
        return LIVE_BUILTINS[type_name]
    entry = by_name.get(type_name)
    if entry is None:
        return "any"
    if entry["meta-type"] == "array":
        return [live_type(schema, by_name, entry["element-type"])]
    if entry["meta-type"] == "enum":
        values = sorted(entry["values"])
        matches = [name for name, expr in schema.types.items() if expr["_kind"] == "enum"
                   and sorted(v["name"] if isinstance(v, dict) else v for v in expr["data"]) == values]
        return matches[0] if len(matches) == 1 else "str"
    return "any"


def merge_live(schema, label, entries, adds_members):
    """Checks that every command and event of one live schema is typed, and (with `adds_members`, for QEMUs newer
    than the source tree) adds the arguments it has that the sources lack."""
    by_name = {entry["name"]: entry for entry in entries}
    commands = {expr["_name"]: expr for expr in schema.commands}
    events = {expr["_name"]: expr for expr in schema.events}
    missing = [e["name"] for e in entries if e["meta-type"] == "command" and e["name"] not in commands]
    missing += [e["name"] for e in entries if e["meta-type"] == "event" and e["name"] not in events]
    if missing:
        raise SystemExit(f"QEMU {label}'s live schema has untyped names (add them to scripts/qapi/newer): "
                         + ", ".join(sorted(missing)))
    added = 0
    for entry in entries:
        if entry["meta-type"] != "command":
            continue
        expr = commands[entry["name"]]
        arguments = by_name.get(entry["arg-type"], {}).get("members", [])
        data = expr.get("data")
        if data is None and arguments:
            data = expr["data"] = {}
        if not isinstance(data, dict):
            continue  # a named struct or union: its members are the type's (replies keep unknown members anyway)
        known = {key.lstrip("*") for key in data}
        if expr.get("_added"):
            live_names = {member["name"] for member in arguments}
            if live_names != known:
                raise SystemExit(f"{entry['name']}: arguments {sorted(known)} in scripts/qapi/newer, "
                                 f"{sorted(live_names)} in QEMU {label}'s live schema")
            continue
        for member in arguments:
            if member["name"] in known or not adds_members:
                continue
            # Optional in the generated type even when that QEMU requires it (`cxl-inject-*`'s `sub-type` in 11.1):
            # the QEMUs before it refuse it, so the initializer must not send it.
            optional = True
            value = live_type(schema, by_name, member["type"])
            if member.get("features"):
                value = {"type": value, "features": list(member["features"])}
            data[("*" if optional else "") + member["name"]] = value
            expr.setdefault("_member_since", {})[member["name"]] = label
            added += 1
    return added


# ---------------------------------------------------------------------------------------------------------------
# Writing Swift


def features_of(expr):
    return [f if isinstance(f, str) else f.get("name") for f in expr.get("features", [])]


def swift_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def since_text(text):
    version = version_tuple(text)
    return "" if version is None else f"{version[0]}.{version[1]}"


def doc_lines(schema, kind_word, expr, anchor_kind):
    since = expr.get("_since")
    lines = [f"/// `{expr['_name']}`: a QAPI {kind_word} of the `{expr['_module']}` module"
             + (f", since QEMU {since}." if since else ".")]
    if expr.get("_removed"):
        lines.append("///")
        lines.append(f"/// Not in QEMU {expr['_removed']}'s schema: typed from QEMU {expr['_from']}'s, for the older QEMUs that have it.")
    if expr.get("_added"):
        tree, live = expr["_added"]
        lines.append("///")
        lines.append(f"/// Not in QEMU {tree}'s sources: added from `scripts/qapi/newer`"
                     + (f", its shape checked against QEMU {live}'s live schema." if live else "."))
    features = features_of(expr)
    if features:
        lines.append("///")
        lines.append("/// Features: " + ", ".join(f"`{f}`" for f in features) + ".")
    lines.append("///")
    lines.append(f"/// See [`{expr['_name']}` in QEMU's reference]({schema.reference}#{anchor_kind}-"
                 f"{schema.origin}-{expr['_module']}.{expr['_name']}).")
    return lines


def member_name(name, reserved):
    swift = lower_camel(name)
    if swift.strip("`") in reserved:
        swift = swift.strip("`") + "Member"
    return swift


# Each schema type is a typealias of one of a few generic wrappers (Sources/QMPGenerated/Support/QAPIWrappers.swift)
# over a caseless tag enum: `QAPI.StatusInfo` is `QAPIObjectValue<QAPITags.StatusInfo>`. Conformances, value
# witnesses and metadata exist once per wrapper, and a tag has no requirement to witness; its facts are a line of
# text in Catalog.swift. A nominal struct per schema type cost some 38 functions of metadata and conformance each
# (~44 000 functions for ~1 140 types), most of the module's release build (BENCHMARKS.md, "Session 5: build cost
# of the generated module").
#
# The typed members live in a constrained extension per tag. They carry `@_optimize(none)`: each only forwards to the
# JSON storage (one call of an unspecialized helper), and optimizing ~10 000 of them was a large share of the module's
# release build time; a typed call still costs well under the 2 µs target over a raw one. They are also
# `@_alwaysEmitIntoClient`: their bodies go into the module's interface only, and a program compiles the few it uses.
def accessor_lines(schema, members, reserved, storage):
    out = []
    seen = set()
    for (name, type_ref, optional, features, since) in members:
        swift = member_name(name, reserved)
        if swift in seen:
            continue
        seen.add(swift)
        type_name = schema.swift_type(type_ref)
        type_text = type_ref if isinstance(type_ref, str) else ("[" + type_ref[0] + "]" if isinstance(type_ref, list) and isinstance(type_ref[0], str) else "object")
        doc = f"    /// `{name}`: `{type_text}`" + (", optional" if optional else "") + (f", since QEMU {since}" if since else "") + "."
        out.append(doc)
        if "deprecated" in features:
            out.append(f"    @available(*, deprecated, message: \"'{name}' is deprecated in QEMU's schema\")")
        out.append(f"    @_alwaysEmitIntoClient public var {swift}: {type_name}? {{")
        out.append(f"        @_optimize(none) get {{ {storage}.qapiMember({swift_string(name)}) }}")
        out.append(f"        @_optimize(none) set {{ {storage}.setQAPIMember({swift_string(name)}, newValue) }}")
        out.append("    }")
    return out


def required_for_decoding(members):
    result = []
    for (name, type_ref, optional, features, since) in members:
        version = version_tuple(since)
        if not optional and (version is None or version <= OLDEST_DECODED):
            result.append(name)
    return result


def init_lines(schema, members, reserved, storage, extra_reserved=()):
    required = [(n, t) for (n, t, o, f, s) in members if not o]
    params, sets = [], []
    used = set()
    for (name, type_ref) in required:
        swift = member_name(name, set(reserved) | set(extra_reserved)).strip("`")
        if swift in used:
            continue
        used.add(swift)
        params.append(f"{swift}: {schema.swift_type(type_ref)}")
        sets.append(f"        {storage}.setQAPIMember({swift_string(name)}, {swift_label(swift)})")
    out = ["    /// A value with the members the schema requires; set optional ones through their properties."]
    out.append(f"    @_alwaysEmitIntoClient @_optimize(none) public init({', '.join(params)}) {{")
    # Not `self.init(unchecked: [:])`: that call would be resolved against every tag's initializers (~7 ms each).
    out.append("        self = Self.qapiEmpty")
    out += sets
    out.append("    }")
    return out


def swift_label(name):
    return "`" + name + "`" if name in KEYWORDS else name


def tag_namespace(schema):
    """`QAPITags` for QMP, `QAPITags.Agent` for the guest agent."""
    return "QAPITags" + schema.namespace[len("QAPI"):]


def declaration(schema, expr, swift, kind_word, anchor_kind, wrapper, members, tag_body=None, extra_doc=()):
    """A schema type's tag, its `QAPI` typealias (with the doc comment) and the constrained extension of its typed
    members (none when it has no member)."""
    tags = tag_namespace(schema)
    out = [f"extension {tags} {{", f"    /// The tag of `{schema.namespace}.{swift}`."]
    protocol = "QAPICommandTag" if wrapper == "QAPICommandValue" else "QAPITag"
    if tag_body:
        out.append(f"    public enum {swift}: {protocol} {{")
        out += ["        " + line for line in tag_body]
        out.append("    }")
    else:
        out.append(f"    public enum {swift}: {protocol} {{}}")
    out += ["}", "", f"extension {schema.namespace} {{"]
    out += ["    " + line if line else "" for line in doc_lines(schema, kind_word, expr, anchor_kind) + list(extra_doc)]
    if kind_word in ("command", "event") and "deprecated" in features_of(expr):
        out.append(f"    @available(*, deprecated, message: \"'{expr['_name']}' is deprecated in QEMU's schema\")")
    out.append(f"    public typealias {swift} = {wrapper}<{tags}.{swift}>")
    out.append("}")
    if members:
        out += ["", f"extension {wrapper} where Tag == {tags}.{swift} {{"] + members + ["}"]
    return out


def emit_enum(schema, expr):
    name = schema.swift_names[expr["_name"]]
    members = []
    seen = set()
    for value in expr.get("data", []):
        features = []
        if isinstance(value, dict):
            features = [f if isinstance(f, str) else f.get("name") for f in value.get("features", [])]
            value = value["name"]
        swift = lower_camel(value)
        if swift.strip("`") in ("rawValue", "qapiInfo", "init", "description"):
            swift = swift.strip("`") + "Value"
        if swift in seen:
            continue
        seen.add(swift)
        members.append(f"    /// `{value}`.")
        if "deprecated" in features:
            members.append(f"    @available(*, deprecated, message: \"'{value}' is deprecated in QEMU's schema\")")
        members.append(f"    @_alwaysEmitIntoClient public static var {swift}: Self {{ @_optimize(none) get {{ Self(rawValue: {swift_string(value)}) }} }}")
    return declaration(schema, expr, name, "enumeration", "enum", "QAPIEnumValue", members)


OBJECT_RESERVED = {"json", "qapiInfo", "requiredMembers", "qapiJSON", "init"}


def emit_object(schema, expr):
    name = schema.swift_names[expr["_name"]]
    kind = expr["_kind"]
    members = schema.all_members(expr)
    variants = schema.variant_members(expr) if kind == "union" else []
    own = {m[0] for m in members}
    variants = [v for v in variants if v[0] not in own]
    extra = []
    if kind == "union":
        extra = ["///", f"/// The members of every variant (tag `{expr.get('discriminator')}`) are properties too; nested unions included."]
    body = init_lines(schema, members, OBJECT_RESERVED, "json")
    body += accessor_lines(schema, members + variants, OBJECT_RESERVED, "json")
    return declaration(schema, expr, name, "union" if kind == "union" else "struct", "object", "QAPIObjectValue",
                       body, extra_doc=extra)


def emit_alternate(schema, expr):
    name = schema.swift_names[expr["_name"]]
    members = []
    seen = set()
    for key, value in (expr.get("data") or {}).items():
        type_ref = value.get("type") if isinstance(value, dict) else value
        type_name = schema.swift_type(type_ref)
        swift = "as" + upper_camel(key)
        if swift in seen:
            continue
        seen.add(swift)
        members.append(f"    /// The `{key}` branch (`{type_ref if isinstance(type_ref, str) else 'array'}`), when the value is one.")
        members.append(f"    @_alwaysEmitIntoClient public var {swift}: {type_name}? {{ @_optimize(none) get {{ {type_name}(qapiJSON: json) }} }}")
        members.append(f"    /// A value of the `{key}` branch.")
        members.append(f"    @_alwaysEmitIntoClient @_optimize(none) public static func {lower_camel(key).strip('`')}(_ value: {type_name}) -> Self {{ Self(unchecked: value.qapiJSON) }}")
    return declaration(schema, expr, name, "alternate", "alternate", "QAPIAlternateValue", members)


COMMAND_RESERVED = {"arguments", "name", "qapiInfo", "init", "encode"}


def command_swift_name(schema, expr):
    # A command named like a type (`blockdev-backup` and `BlockdevBackup`) takes a `Command` suffix.
    name = upper_camel(expr["_name"])
    return name + "Command" if name in schema.swift_names.values() else name


def command_response(schema, expr):
    returns = expr.get("returns")
    response = "QMP.QMPEmpty" if returns is None else schema.swift_type(returns)
    return "QMP.QMPEmpty" if response == "QAPINull" else response


def emit_command(schema, expr):
    name = command_swift_name(schema, expr)
    data = expr.get("data")
    members = schema.members(data, expr) if data is not None else []
    variants = []
    if isinstance(data, str) and schema.types.get(data, {}).get("_kind") == "union":
        own = {m[0] for m in members}
        variants = [v for v in schema.variant_members(schema.types[data]) if v[0] not in own]
    returns = expr.get("returns")
    reply = ["///", f"/// Reply: `{returns if isinstance(returns, str) else ('[' + returns[0] + ']' if isinstance(returns, list) else 'nothing')}`."]
    body = init_lines(schema, members, COMMAND_RESERVED, "arguments")
    body += accessor_lines(schema, members + variants, COMMAND_RESERVED, "arguments")
    tag_body = ["/// The reply's type.", f"public typealias Response = {command_response(schema, expr)}"]
    return declaration(schema, expr, name, "command", "command", "QAPICommandValue", body, tag_body, reply)


EVENT_RESERVED = {"json", "name", "qapiInfo", "requiredMembers", "qapiJSON", "init"}


def event_swift_name(schema, expr):
    name = upper_camel(expr["_name"].lower()) + "Event"
    return name + "Notification" if name in schema.swift_names.values() else name


def event_members(schema, expr):
    data = expr.get("data")
    return schema.members(data, expr) if data is not None else []


def emit_event(schema, expr):
    name = event_swift_name(schema, expr)
    body = accessor_lines(schema, event_members(schema, expr), EVENT_RESERVED, "json")
    return declaration(schema, expr, name, "event", "event", "QAPIEventValue", body)


HEADER = """// Generated by scripts/generate-qapi.sh from QEMU {version}'s QAPI schema ({source}). Do not edit.
// Names, structure, versions and features are facts of the schema; the doc comments are built from them.
"""


def imports(text):
    """`public import` for the modules the file's public declarations use, plain `import` for the others."""
    uses_qmp = "QMP.QMPEmpty" in text
    uses_wire = any(word in text for word in ("JSONObject", "QMPWire.JSON", "[:]"))
    return [("public " if uses_qmp else "") + "import QMP", ("public " if uses_wire else "") + "import QMPWire", ""]


def write(schema, out_dir, label, version, source):
    by_module = {}
    for expr in list(schema.types.values()) + schema.commands + schema.events:
        by_module.setdefault(expr["_module"], []).append(expr)
    written = []
    for module, exprs in sorted(by_module.items()):
        lines = []
        for expr in exprs:
            kind = expr["_kind"]
            if kind == "enum":
                body = emit_enum(schema, expr)
            elif kind in ("struct", "union"):
                body = emit_object(schema, expr)
            elif kind == "alternate":
                body = emit_alternate(schema, expr)
            elif kind == "command":
                body = emit_command(schema, expr)
            else:
                body = emit_event(schema, expr)
            lines += body
            lines.append("")
        file_name = f"{label}{upper_camel(module).strip('_')}.swift"
        rest = "\n".join(lines[:-1])
        with open(os.path.join(out_dir, file_name), "w") as handle:
            handle.write(HEADER.format(version=version, source=source) + "\n" + "\n".join(imports(rest)) + "\n" + rest + "\n")
        written.append(file_name)
    return written


def facts_lines(label, schema):
    """One line per declaration: schema, kind, tag path, wire name, since, features, required members (tabs)."""
    path = schema.namespace[len("QAPI."):] + "." if schema.namespace != "QAPI" else ""

    def line(kind, swift, expr, required=()):
        return "\t".join([label, kind, path + swift, expr["_name"], since_text(expr.get("_since")),
                          ",".join(features_of(expr)), ",".join(required)])
    lines = [line("command", command_swift_name(schema, c), c) for c in schema.commands]
    lines += [line("event", event_swift_name(schema, e), e, required_for_decoding(event_members(schema, e)))
              for e in schema.events]
    for name, expr in schema.types.items():
        kind = expr["_kind"]
        required = required_for_decoding(schema.all_members(expr)) if kind in ("struct", "union") else ()
        lines.append(line(kind, schema.swift_names[name], expr, required))
    return lines


def catalog(schemas, out_dir, version):
    lines = [HEADER.format(version=version, source="catalog"), "extension QAPI {",
             "    /// The QEMU version whose schema the code was generated from.",
             f"    public static let generatedFrom = {swift_string(version)}", "}", "",
             "/// The facts of every generated declaration (`QAPIFacts` reads them once): schema, kind, tag, wire name,",
             "/// since, features and the members every QEMU of the decoded range sends, separated by tabs.",
             "/// Commands and events are in the schema's order.",
             "let qapiFactsText = #\"\"\""]
    for label, schema in schemas:
        for line in facts_lines(label, schema):
            if "\\" in line or '"""' in line:
                raise SystemExit(f"unexpected characters in {line!r}")
            lines.append(line)
    lines.append("\"\"\"#")
    with open(os.path.join(out_dir, "Catalog.swift"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------------------------
# The test registry: a sample of every command's arguments, and a typed round trip of every reply


SAMPLES = {"str": "x", "int": 1, "int8": 1, "int16": 1, "int32": 1, "int64": 1, "uint8": 1, "uint16": 1,
           "uint32": 1, "uint64": 1, "size": 1, "number": 1.5, "bool": True, "null": None, "any": 1, "QType": "none"}


class Sample:
    """Builds a minimal valid value of a type (required members only) and the newest `since` it relies on."""

    def __init__(self, schema):
        self.schema = schema
        self.since = (0, 0)

    def note(self, since):
        version = version_tuple(since)
        if version and version > self.since:
            self.since = version

    def value(self, type_ref, depth=0):
        if depth > 12:
            raise ValueError("too deep")
        if isinstance(type_ref, list):
            return []
        if isinstance(type_ref, dict):
            return {}
        if type_ref in SAMPLES:
            return SAMPLES[type_ref]
        expr = self.schema.types.get(type_ref)
        if expr is None:
            raise ValueError(f"unknown type {type_ref}")
        self.note(expr.get("_since"))
        kind = expr["_kind"]
        if kind == "enum":
            first = expr["data"][0]
            return first["name"] if isinstance(first, dict) else first
        if kind == "alternate":
            # A scalar branch when there is one (object branches can recurse: BlockdevRef).
            branches = [b.get("type") if isinstance(b, dict) else b for b in expr["data"].values()]
            scalar = [b for b in branches if isinstance(b, str) and (b in SAMPLES or self.schema.types.get(b, {}).get("_kind") == "enum")]
            return self.value((scalar or branches)[0], depth + 1)
        return self.object(expr, depth)

    def object(self, expr, depth):
        result = {}
        for (name, type_ref, optional, features, since) in self.schema.all_members(expr):
            if not optional:
                self.note(since)
                result[name] = self.value(type_ref, depth + 1)
        if expr["_kind"] == "union":
            tag = expr["discriminator"]
            variants = expr.get("data") or {}
            if variants:
                value, variant = next(iter(variants.items()))
                result[tag] = value
                target = variant.get("type") if isinstance(variant, dict) else variant
                result.update(self.object(self.schema.types[target], depth + 1))
        return result

    def arguments(self, command):
        data = command.get("data")
        self.note(command.get("_since"))
        if data is None:
            return {}
        if isinstance(data, str):
            return self.object(self.schema.types[data], 0)
        result = {}
        for (name, type_ref, optional, features, since) in self.schema.members(data, command):
            if not optional:
                self.note(since)
                result[name] = self.value(type_ref, 1)
        return result


def json_literal(value):
    if value is None:
        return ".null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return swift_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(json_literal(v) for v in value) + "]" if value else ".array([])"
    if not value:
        return ".object([:])"
    return "[" + ", ".join(f"{swift_string(k)}: {json_literal(v)}" for k, v in value.items()) + "]"


def registry(schema, out_dir, version):
    lines = [HEADER.format(version=version, source="test registry"), "import QMP", "import QMPGenerated",
             "import QMPWire", "",
             "/// Every generated QMP command: a minimal sample of its arguments, encoded through its generated type",
             "/// (deprecated commands, which Swift would warn about, through their wire form), and a typed round trip",
             "/// of its reply.",
             "let generatedCommands: [GeneratedCommand] = ["]
    for command in schema.commands:
        sample = Sample(schema)
        try:
            arguments = sample.arguments(command)
        except (ValueError, KeyError, StopIteration):
            continue
        swift = command_swift_name(schema, command)
        since = f"QEMUVersion(major: {sample.since[0]}, minor: {sample.since[1]}, micro: 0)"
        deprecated = "deprecated" in features_of(command)
        literal = json_literal(arguments) if arguments else "[:]"
        if deprecated:
            encode = f"{{ JSON.object({literal} as JSONObject) }}"
            trip = "nil"
        else:
            encode = f"{{ try JSONValueEncoder().encode(QAPI.{swift}(arguments: {literal})) }}"
            returns = command.get("returns")
            trip = "nil" if returns is None else f"{{ try roundTrip(QAPI.{swift}.Response.self, $0) }}"
        data = command.get("data")
        known = schema.members(data, command) if data is not None else []
        if isinstance(data, str) and schema.types.get(data, {}).get("_kind") == "union":
            known += schema.variant_members(schema.types[data])
        optional = sorted({m[0] for m in known if m[2]})
        lines.append(f"    GeneratedCommand(name: {swift_string(command['_name'])}, sampleSince: {since}, "
                     f"isDeprecated: {'true' if deprecated else 'false'},")
        lines.append(f"                     members: [{', '.join(swift_string(m) for m in sorted({m[0] for m in known}))}],")
        lines.append(f"                     optionalMembers: [{', '.join(swift_string(m) for m in optional)}],")
        lines.append(f"                     sample: {encode},")
        lines.append(f"                     roundTrip: {trip}),")
    lines.append("]")
    with open(os.path.join(out_dir, "GeneratedCommands.swift"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


def facts_registry(schemas, out_dir, version):
    """Every generated declaration's facts as read through its Swift name (through its tag for the deprecated ones,
    which Swift would warn about), next to its wire name and kind: the tag-to-facts lookup, checked for each."""
    lines = [HEADER.format(version=version, source="test registry"), "import QMP", "import QMPGenerated", "",
             "/// Every generated declaration: its kind and wire name, and its `qapiInfo` as read through its Swift name.",
             "func generatedDeclarations() -> [(kind: QAPIDeclarationInfo.Kind, name: String, info: QAPIDeclarationInfo)] {",
             "    var result: [(kind: QAPIDeclarationInfo.Kind, name: String, info: QAPIDeclarationInfo)] = []"]
    wrappers = {"command": "QAPICommandValue", "event": "QAPIEventValue", "struct": "QAPIObjectValue",
                "union": "QAPIObjectValue", "enum": "QAPIEnumValue", "alternate": "QAPIAlternateValue"}
    kinds = {"command": "command", "event": "event", "struct": "structure", "union": "union", "enum": "enumeration",
             "alternate": "alternate"}
    for label, schema in schemas:
        entries = [("command", command_swift_name(schema, c), c) for c in schema.commands]
        entries += [("event", event_swift_name(schema, e), e) for e in schema.events]
        entries += [(expr["_kind"], schema.swift_names[name], expr) for name, expr in schema.types.items()]
        for kind, swift, expr in entries:
            if kind in ("command", "event") and "deprecated" in features_of(expr):
                reference = f"{wrappers[kind]}<{tag_namespace(schema)}.{swift}>"
            else:
                reference = f"{schema.namespace}.{swift}"
            lines.append(f"    result.append((.{kinds[kind]}, {swift_string(expr['_name'])}, {reference}.qapiInfo))")
    lines += ["    return result", "}"]
    with open(os.path.join(out_dir, "GeneratedDeclarations.swift"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


def main():
    arguments, newer_dir, live = sys.argv[1:], None, []
    while arguments and arguments[0].startswith("--"):
        option = arguments.pop(0)
        if option == "--newer" and arguments:
            newer_dir = arguments.pop(0)
        elif option == "--live" and arguments and "=" in arguments[0]:
            label, path = arguments.pop(0).split("=", 1)
            with open(path) as handle:
                live.append((version_tuple(label), label, json.load(handle)))
        else:
            raise SystemExit(__doc__)
    if len(arguments) < 2:
        raise SystemExit(__doc__)
    live.sort(key=lambda entry: entry[0])
    sources = arguments[0].split(":")
    source, out_dir = sources[0], arguments[1]
    tests_dir = arguments[2] if len(arguments) >= 3 else None

    def version_of(tree):
        version_file = os.path.join(tree, "VERSION")
        return open(version_file).read().strip() if os.path.exists(version_file) else "unknown"

    version = version_of(source)
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.endswith(".swift"):
            os.remove(os.path.join(out_dir, old))
    definitions = []
    load(os.path.join(source, "qapi", "qapi-schema.json"), definitions, set())
    # Older trees (after a ':') add what the newest schema dropped: its commands, events and types stay typed, so
    # replies of the older QEMUs of the supported range decode too.
    def key(expr):
        for kind in ("command", "event", "struct", "union", "enum", "alternate"):
            if kind in expr:
                return ("type" if kind not in ("command", "event") else kind, expr[kind])
        return None
    known = {key(expr) for expr in definitions}
    for older in sources[1:]:
        older_definitions = []
        load(os.path.join(older, "qapi", "qapi-schema.json"), older_definitions, set())
        for expr in older_definitions:
            k = key(expr)
            if k is not None and k not in known:
                known.add(k)
                expr["_removed"] = version
                expr["_from"] = version_of(older)
                definitions.append(expr)
    if newer_dir:
        newest_live = live[-1][1] if live else None
        for file_name in sorted(os.listdir(newer_dir)):
            if not file_name.endswith(".json"):
                continue
            newer_definitions = []
            load(os.path.join(newer_dir, file_name), newer_definitions, set())
            for expr in newer_definitions:
                k = key(expr)
                if k is None or k in known:
                    raise SystemExit(f"{newer_dir}/{file_name}: {k} is already in the sources; drop it")
                known.add(k)
                expr["_added"] = (version, newest_live)
                definitions.append(expr)
    qmp = Schema(definitions, "QAPI", QMP_REFERENCE, "QMP")
    for label_version, label, entries in live:
        added = merge_live(qmp, label, entries, label_version > version_tuple(version))
        print(f"QEMU {label}'s live schema: every command and event typed; {added} arguments added from it")
    written = write(qmp, out_dir, "", version, "qapi/qapi-schema.json")
    schemas = [("QMP", qmp)]
    qga_path = os.path.join(source, "qga", "qapi-schema.json")
    if os.path.exists(qga_path):
        qga_definitions = []
        load(qga_path, qga_definitions, set())
        for expr in qga_definitions:
            expr["_module"] = "guest-agent"
        qga = Schema(qga_definitions, "QAPI.Agent", QGA_REFERENCE, "QGA")
        written += write(qga, out_dir, "Agent", version, "qga/qapi-schema.json")
        schemas.append(("Agent", qga))
    catalog(schemas, out_dir, version)
    if tests_dir:
        os.makedirs(tests_dir, exist_ok=True)
        registry(qmp, tests_dir, version)
        facts_registry(schemas, tests_dir, version)
    print(f"{len(qmp.commands)} commands, {len(qmp.events)} events, {len(qmp.types)} types"
          + (f"; guest agent: {len(schemas[1][1].commands)} commands" if len(schemas) > 1 else "")
          + f" -> {out_dir} ({len(written) + 1} files)")


if __name__ == "__main__":
    main()
