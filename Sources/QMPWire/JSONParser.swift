/// An error in JSON text: what was wrong and the byte offset where it was found.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, e.g. `unexpected end of JSON text` or `expected a string key`; ``description`` adds the
    /// offset.
    public var message: String
    /// Byte offset into the parsed text.
    public var offset: Int

    /// An error saying `message` about the byte at `offset` (0 is the first byte of the text).
    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at offset \(offset)" }
}

extension JSON {
    /// Parses one JSON value from `text`; only white space may follow it.
    public init(parsing text: String) throws(JSONParseError) {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONParseError) in try JSON(parsing: UnsafeRawBufferPointer(utf8)) }
        }
        self = try result.get()
    }

    /// Parses one JSON value from UTF-8 `bytes`; only white space may follow it.
    public init(parsing bytes: [UInt8]) throws(JSONParseError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) in try JSON(parsing: raw) }
        }
        self = try result.get()
    }

    /// Parses one JSON value from UTF-8 `bytes`; only white space may follow it.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        var parser = JSONParser(bytes)
        self = try parser.parseDocument()
    }
}

extension JSON {
    /// The deepest nesting accepted, in received messages and in parsed text alike.
    ///
    /// QEMU nests `query-block` 607 deep on a 600-deep backing chain; this bound is far above that and still well
    /// within the stack of any thread that parses, serializes or releases such a value. Deeper input gives a
    /// ``JSONParseError`` ("nested more than … levels deep") instead of exhausting the stack.
    public static let maximumNestingDepth = 4096
}

/// A recursive-descent JSON parser over UTF-8 bytes, strict per RFC 8259 and bounded in nesting depth.
///
/// Numbers are never changed silently: an integer beyond 64 bits, a float out of `Double`'s range (`1e400`,
/// `1e-400`) and a lone UTF-16 surrogate in a `\u` escape are refused with an error at their offset.
struct JSONParser {
    static let maximumDepth = JSON.maximumNestingDepth

    private let bytes: UnsafeRawBufferPointer
    /// The deepest nesting accepted (``maximumDepth`` unless a framer asks for less).
    private let depthLimit: Int
    private var index = 0
    private var depth = 0
    /// The stacks and the short-string cache; a framer lends its own, so they outlive one message.
    var scratch: JSONParserScratch
    // The members of the arrays and objects being parsed are on `scratch.valueStack`, innermost last, and the keys
    // of the objects beside their values on `scratch.keyStack`: a container collects its members there and is
    // built from them once, at its exact size, when it closes. Growing each container's own storage as its members
    // came cost several allocations per container (a quarter of the time of a 207 KB `query-qmp-schema` reply,
    // perf). The stacks are touched only in the helpers below, never inlined into the recursive functions.

    init(
        _ bytes: UnsafeRawBufferPointer, maximumDepth: Int = JSONParser.maximumDepth,
        scratch: JSONParserScratch = JSONParserScratch()
    ) {
        self.bytes = bytes
        self.depthLimit = min(maximumDepth, JSONParser.maximumDepth)
        self.scratch = scratch
        self.scratch.prepare()
    }

    /// The JSON object at the start of `bytes` and the offset just after it; what follows is not looked at.
    /// Throws for anything else, including an object that `bytes` ends inside of. `scratch` is used and handed
    /// back (whatever the outcome) for the next message.
    static func parseLeadingObject(
        _ bytes: UnsafeRawBufferPointer, maximumDepth: Int, scratch: inout JSONParserScratch
    ) throws(JSONParseError) -> (object: JSONObject, end: Int) {
        var parser = JSONParser(bytes, maximumDepth: maximumDepth, scratch: scratch.take())
        defer { scratch = parser.scratch.take() }
        guard case .object(let object) = try parser.parseValue() else {
            throw JSONParseError("not a JSON object", offset: 0)
        }
        return (object, parser.index)
    }

    /// One JSON value in all of `bytes` (white space around it allowed), with `scratch` lent as above.
    static func parseDocument(
        _ bytes: UnsafeRawBufferPointer, scratch: inout JSONParserScratch
    ) throws(JSONParseError) -> JSON {
        var parser = JSONParser(bytes, scratch: scratch.take())
        defer { scratch = parser.scratch.take() }
        return try parser.parseDocument()
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index != bytes.count { throw JSONParseError("unexpected text after the JSON value", offset: index) }
        return value
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSON {
        guard index < bytes.count else { throw JSONParseError("unexpected end of JSON text", offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONParseError("unexpected character '\(Self.printable(bytes[index]))'", offset: index)
        }
    }

    // Static so that calling it from the recursive functions does not copy the parser onto their frames in a debug
    // build (a non-mutating method takes `self` by value).
    private static func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSON) throws(JSONParseError) -> JSON {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw JSONParseError("unexpected end of JSON text", offset: index) }
        let word = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != word[offset] {
            throw JSONParseError("invalid literal", offset: index)
        }
        index += count
        return value
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > depthLimit {
            throw JSONParseError("JSON nested more than \(depthLimit) levels deep", offset: index)
        }
    }

    // parseObject and parseArray recurse (through parseValue) once per nesting level, up to the depth limit, so
    // their frames stay small: the work around the recursion is in the helpers below, the bulky ones never inlined
    // (with it all in one function, a debug build overflowed a test thread's stack 4096 levels down).

    private mutating func parseObject() throws(JSONParseError) -> JSON {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        let keyBase = keyStackCount()
        // Position of each key (relative to keyBase), once the object is big enough for a hash index to pay.
        var positions: [String: Int]?
        while true {
            let key = try parseKey()
            let value = try parseValue()
            addMember(key, value, keyBase: keyBase, positions: &positions)
            if try containerEnds(UInt8(ascii: "}")) { return .object(popObject(keyBase: keyBase, positions: positions)) }
        }
    }

    /// A member's key and the `:` after it, with the white space around them.
    private mutating func parseKey() throws(JSONParseError) -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw JSONParseError("expected a string key", offset: index)
        }
        let key = try parseString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw JSONParseError("expected ':' after an object key", offset: index)
        }
        index += 1
        skipWhitespace()
        return key
    }

    /// Adds a member of the object whose keys start at `keyBase` on the stacks. A key given twice keeps its first
    /// position and takes the later value, as `JSONObject` does.
    @inline(never)
    private mutating func addMember(_ key: String, _ value: JSON, keyBase: Int, positions: inout [String: Int]?) {
        let valueBase = scratch.valueStack.count - (scratch.keyStack.count - keyBase)
        let count = scratch.keyStack.count - keyBase
        var existing: Int?
        if let positions {
            existing = positions[key]
        } else {
            for position in keyBase..<scratch.keyStack.count where scratch.keyStack[position] == key {
                existing = position - keyBase
                break
            }
        }
        if let existing {
            scratch.valueStack[valueBase + existing] = value
            return
        }
        scratch.keyStack.push(key)
        scratch.valueStack.push(value)
        if positions != nil {
            positions![key] = count
        } else if count + 1 >= JSONObject.indexThreshold {
            var built: [String: Int] = [:]
            built.reserveCapacity(2 * JSONObject.indexThreshold)
            for position in keyBase..<scratch.keyStack.count { built[scratch.keyStack[position]] = position - keyBase }
            positions = built
        }
    }

    /// After a member or an element: true at the container's `closing` bracket (consumed), false after a `,`.
    private mutating func containerEnds(_ closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw JSONParseError("unexpected end of JSON text", offset: index) }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            return false
        case closing:
            index += 1
            return true
        default:
            throw JSONParseError(
                closing == UInt8(ascii: "}") ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array",
                offset: index)
        }
    }

    /// The object whose members are on the stacks from `keyBase`, built at its size; they leave the stacks.
    @inline(never)
    private mutating func popObject(keyBase: Int, positions: [String: Int]?) -> JSONObject {
        let count = scratch.keyStack.count - keyBase
        let valueBase = scratch.valueStack.count - count
        return JSONObject(
            uniqueKeys: scratch.popKeys(from: keyBase),
            values: scratch.valueStack.pop(from: valueBase, placeholder: .null),
            index: positions)
    }

    private mutating func parseArray() throws(JSONParseError) -> JSON {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        let base = valueStackCount()
        while true {
            skipWhitespace()
            pushValue(try parseValue())
            if try containerEnds(UInt8(ascii: "]")) { return .array(popArray(base: base)) }
        }
    }

    @inline(never)
    private mutating func pushValue(_ value: JSON) {
        scratch.valueStack.push(value)
    }

    @inline(never)
    private mutating func keyStackCount() -> Int { scratch.keyStack.count }

    @inline(never)
    private mutating func valueStackCount() -> Int { scratch.valueStack.count }

    /// The array whose elements are on the value stack from `base`, built at its size; they leave the stack.
    @inline(never)
    private mutating func popArray(base: Int) -> [JSON] {
        scratch.valueStack.pop(from: base, placeholder: .null)
    }

    @inline(never)
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index + 1
        var cursor = start
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                index = cursor + 1
                return scratch.strings.string(
                    UnsafeRawBufferPointer(rebasing: bytes[start..<cursor]), following: bytes.count - cursor)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw JSONParseError("control character in a string", offset: cursor) }
            cursor += 1
        }
        guard cursor < bytes.count else { throw JSONParseError("unterminated string", offset: start - 1) }
        return try parseEscapedString(start: start, firstEscape: cursor)
    }

    private mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        var utf8: [UInt8] = Array(bytes[start..<firstEscape])
        var cursor = firstEscape
        while cursor < bytes.count {
            let byte = bytes[cursor]
            switch byte {
            case UInt8(ascii: "\""):
                index = cursor + 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard cursor + 1 < bytes.count else { break }
                let escape = bytes[cursor + 1]
                cursor += 2
                switch escape {
                case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(at: cursor)
                    cursor += 4
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard cursor + 6 <= bytes.count, bytes[cursor] == UInt8(ascii: "\\"),
                            bytes[cursor + 1] == UInt8(ascii: "u"),
                            case let low = try hex4(at: cursor + 2), (0xDC00..<0xE000).contains(low)
                        else {
                            throw JSONParseError("lone surrogate in a \\u escape", offset: cursor - 6)
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        cursor += 6
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw JSONParseError("lone surrogate in a \\u escape", offset: cursor - 6)
                    }
                    utf8.append(contentsOf: Unicode.Scalar(scalar).map { Array(String($0).utf8) } ?? [0xEF, 0xBF, 0xBD])
                default:
                    throw JSONParseError("invalid escape '\\\(Self.printable(escape))'", offset: cursor - 2)
                }
                continue
            default:
                if byte < 0x20 { throw JSONParseError("control character in a string", offset: cursor) }
                utf8.append(byte)
            }
            cursor += 1
        }
        throw JSONParseError("unterminated string", offset: start - 1)
    }

    private func hex4(at offset: Int) throws(JSONParseError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw JSONParseError("truncated \\u escape", offset: offset) }
        var value: UInt32 = 0
        for position in offset..<(offset + 4) {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError("invalid \\u escape", offset: position)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// True when the mantissa of the number in `range` has a digit other than 0 (so it is not zero).
    private func hasNonZeroDigit(_ range: Range<Int>) -> Bool {
        for position in range {
            let byte = bytes[position]
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return false }
            if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") { return true }
        }
        return false
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let digitsStart = index
        var magnitude: UInt64 = 0
        var overflow = false
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            magnitude = sum
            index += 1
        }
        let digitCount = index - digitsStart
        guard digitCount > 0 else { throw JSONParseError("invalid number", offset: start) }
        if digitCount > 1 && bytes[digitsStart] == UInt8(ascii: "0") {
            throw JSONParseError("leading zero in a number", offset: start)
        }
        var isInteger = true
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fractionStart = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            if index == fractionStart { throw JSONParseError("invalid number", offset: start) }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            isInteger = false
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            if index == exponentStart { throw JSONParseError("invalid number", offset: start) }
        }
        if isInteger {
            if overflow { throw JSONParseError("integer out of range (more than 64 bits)", offset: start) }
            if !negative {
                return magnitude <= UInt64(Int64.max) ? .int(Int64(magnitude)) : .uint(magnitude)
            }
            if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
            if magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            throw JSONParseError("integer out of range (below -2^63)", offset: start)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw JSONParseError("invalid number", offset: start) }
        guard value.isFinite else { throw JSONParseError("number out of range of a double", offset: start) }
        if value == 0 && hasNonZeroDigit(start..<index) {
            throw JSONParseError("number out of range of a double (too small)", offset: start)
        }
        return .double(value)
    }
}

/// What a parser keeps from one message to the next on one connection: its member stacks (so a message does not
/// allocate them again) and a cache of short strings (keys such as `return`, `status` and values such as
/// `running` repeat in every reply; taking them from the cache skips the UTF-8 validation and creation of a
/// `String`). A ``JSONStreamFramer`` owns one; a lone `JSON(parsing:)` starts from an empty one.
struct JSONParserScratch: Sendable {
    var keyStack = MemberStack<String>()
    var valueStack = MemberStack<JSON>()
    var strings = ShortStringCache()
    /// The key arrays of recent small objects, by member count (modulo 8): the replies and events of a connection
    /// repeat a few shapes (`{"status", "singlestep", "running"}`), so an object can share the array of the last
    /// one with the same keys instead of allocating its own. Arrays are values, so sharing one changes nothing.
    private var recentKeys: [[String]] = []

    /// Stacks larger than this are not kept after a message (so one huge message does not pin its stacks' memory
    /// for the connection's life).
    static let retainedStackCapacity = 4096

    /// Readies the stacks for a message: empty (a message that failed may have left members), capacity kept
    /// unless one huge message grew them.
    mutating func prepare() {
        keyStack.reset(keepingUpTo: Self.retainedStackCapacity, placeholder: "")
        valueStack.reset(keepingUpTo: 2 * Self.retainedStackCapacity, placeholder: .null)
    }

    /// The keys on the key stack from `base` on, as an array (shared with an earlier object that had the same keys
    /// when one is at hand); they leave the stack.
    mutating func popKeys(from base: Int) -> [String] {
        let popped = keyStack.count - base
        guard popped <= 16 else { return keyStack.pop(from: base, placeholder: "") }
        if recentKeys.isEmpty { recentKeys = Array(repeating: [], count: 8) }
        let slot = popped & 7
        if recentKeys[slot].count == popped && keyStack.matches(recentKeys[slot], from: base, by: Self.sameBytes) {
            keyStack.drop(from: base, placeholder: "")
            return recentKeys[slot]
        }
        let keys = keyStack.pop(from: base, placeholder: "")
        recentKeys[slot] = keys
        return keys
    }

    /// Whether two strings have the same UTF-8 bytes (not `==`, which equates canonically equivalent strings: a
    /// shared key must keep the bytes the peer sent). Strings from the short-string cache are the same value, so
    /// their representations are compared first.
    @inline(__always)
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        let sameRepresentation = MemoryLayout<String>.size == 16 && withUnsafeBytes(of: a) { a in
            withUnsafeBytes(of: b) { b in
                a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                    && a.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                        == b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            }
        }
        return sameRepresentation || a.utf8.elementsEqual(b.utf8)
    }

    /// The scratch, leaving an empty one (no allocation) in its place.
    mutating func take() -> JSONParserScratch {
        var taken = JSONParserScratch()
        swap(&taken, &self)
        return taken
    }
}

/// A direct-mapped cache of strings of at most 15 UTF-8 bytes, keyed by their bytes.
///
/// A hit returns the `String` made from the same bytes before (the same bytes always decode to the same string,
/// lone surrogates and invalid UTF-8 included, since the decoding is deterministic), so nothing about the result
/// changes; a miss decodes as usual and replaces the slot's entry. Strings of up to 15 bytes are stored inline
/// in a `String` (no allocation), so the cache holds at most 64 small values.
struct ShortStringCache: Sendable {
    private struct Entry: Sendable {
        var low: UInt64
        var high: UInt64
        var string: String
    }

    private static let slotCount = 64
    /// Empty until first used, so an unused cache costs no allocation. An entry whose bytes are all zero stands
    /// for the empty string, which it holds, so a fresh table answers correctly.
    private var entries: [Entry] = []

    /// The string that `bytes` decode to (invalid UTF-8 repaired, as `String(decoding:as:)` does). `following` is
    /// how many readable bytes follow `bytes` in memory (lets short strings be read with two word loads).
    @inline(__always)
    mutating func string(_ bytes: UnsafeRawBufferPointer, following: Int) -> String {
        let count = bytes.count
        guard count <= 15 else { return String(decoding: bytes, as: UTF8.self) }
        var low: UInt64 = 0
        var high = UInt64(count) << 56
        if following >= 16 - count, let base = bytes.baseAddress {
            // Two unaligned loads, masked to the string's bytes (the bytes after it are the caller's and readable).
            let first = base.loadUnaligned(as: UInt64.self)
            if count <= 8 {
                low = count == 8 ? first : first & ((1 << (8 * UInt64(count))) - 1)
            } else {
                low = first
                let second = base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                high |= second & ((1 << (8 * UInt64(count - 8))) - 1)
            }
        } else {
            var position = 0
            while position < min(count, 8) {
                low |= UInt64(bytes[position]) << (8 * UInt64(position))
                position += 1
            }
            while position < count {
                high |= UInt64(bytes[position]) << (8 * UInt64(position - 8))
                position += 1
            }
        }
        return lookUp(low: low, high: high, bytes)
    }

    private mutating func lookUp(low: UInt64, high: UInt64, _ bytes: UnsafeRawBufferPointer) -> String {
        if entries.isEmpty {
            entries = Array(repeating: Entry(low: 0, high: 0, string: ""), count: Self.slotCount)
        }
        let slot = Int(truncatingIfNeeded: ((low ^ (high &* 31)) &* 0x9E37_79B9_7F4A_7C15) >> 58)
        return entries.withUnsafeMutableBufferPointer { table in
            if table[slot].low == low && table[slot].high == high { return table[slot].string }
            let string = String(decoding: bytes, as: UTF8.self)
            table[slot] = Entry(low: low, high: high, string: string)
            return string
        }
    }
}

/// A stack of container members that a parser keeps between messages: popping copies the members into the new
/// container and leaves a placeholder (a value without storage: `""`, `.null`) in their slots, so the storage is
/// neither shrunk nor its members removed through `removeLast(_:)` (which cost more than building the container).
struct MemberStack<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    /// The number of members; the slots from here on hold a placeholder.
    private(set) var count = 0

    subscript(position: Int) -> Element {
        get { storage[position] }
        set { storage[position] = newValue }
    }

    @inline(__always)
    mutating func push(_ element: Element) {
        if count < storage.count {
            storage[count] = element
        } else {
            if storage.capacity == 0 { storage.reserveCapacity(16) }
            storage.append(element)
        }
        count += 1
    }

    /// The members from `base` on, in order, as an array of their exact size; `placeholder` takes their slots.
    mutating func pop(from base: Int, placeholder: Element) -> [Element] {
        let popped = count - base
        let result = storage.withUnsafeMutableBufferPointer { slots in
            let from = slots.baseAddress! + base
            let members = Array(UnsafeBufferPointer(start: from, count: popped))
            from.update(repeating: placeholder, count: popped)
            return members
        }
        count = base
        return result
    }

    /// Whether the members from `base` on are `elements`, in order, as `same` compares them.
    @inline(__always)
    func matches(_ elements: [Element], from base: Int, by same: (Element, Element) -> Bool) -> Bool {
        guard count - base == elements.count else { return false }
        for offset in elements.indices where !same(storage[base + offset], elements[offset]) { return false }
        return true
    }

    /// Removes the members from `base` on; `placeholder` takes their slots.
    mutating func drop(from base: Int, placeholder: Element) {
        for position in base..<count { storage[position] = placeholder }
        count = base
    }

    /// Empties the stack for the next message; its storage is kept unless it grew beyond `limit` slots.
    mutating func reset(keepingUpTo limit: Int, placeholder: Element) {
        if storage.count > limit {
            storage = []
        } else {
            for position in 0..<count { storage[position] = placeholder }
        }
        count = 0
    }
}
