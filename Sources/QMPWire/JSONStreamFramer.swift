#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into whole JSON objects, whatever the chunking.
///
/// Messages are found by tracking object nesting and strings, not by newlines, so QEMU's `pretty=on` output
/// (one message over many lines), several messages in one read, a message split anywhere and `\r\n` line ends
/// all frame the same way. Each byte is scanned once, however the stream is cut, so a 16 MiB reply arriving in
/// small reads costs linear time.
///
/// What is *not* a fatal error: text outside an object (a garbage line, a bare number or array), an object that
/// does not parse, one cut short (a string broken by a raw newline, or a line that starts with `{` while a message
/// is still open), and one over a limit are each reported as one ``Item/malformed(_:)`` and skipped; framing
/// resumes after them. A broken *object* is still one protocol item: ``MalformedInput/kind`` and
/// ``MalformedInput/keys`` let a client fail the call it answered instead of shifting its matching.
///
/// Limits hold on bytes as they arrive: a message over ``maximumMessageSize`` or nested deeper than
/// ``maximumDepth``, and a garbage line without a newline, are discarded as they stream in, so memory stays
/// bounded by the limit whatever the peer sends. A `0xFF` byte between messages (the guest agent's sync marker)
/// is reported on its own, and the object after it frames normally.
///
/// ```swift
/// var framer = JSONStreamFramer()
/// framer.append(bytesFromSocket)
/// while let item = try framer.next() { ... }
/// ```
public struct JSONStreamFramer: Sendable {
    /// One result of framing.
    public enum Item: Sendable, Equatable {
        /// A whole JSON object.
        case object(JSONObject)
        /// Bytes that are not a usable JSON object; the stream goes on after them.
        case malformed(MalformedInput)
    }

    /// Input that was skipped, with the reason.
    public struct MalformedInput: Sendable, Equatable, CustomStringConvertible {
        /// What was skipped.
        public enum Kind: String, Sendable, Equatable {
            /// Text outside any object (up to its newline).
            case garbage
            /// A whole object (by its braces) that is not valid JSON.
            case invalidObject
            /// An object cut short by a newline in a string or a new object at the start of a line.
            case truncatedObject
            /// An object longer than ``JSONStreamFramer/maximumMessageSize``.
            case tooLarge
            /// An object nested deeper than ``JSONStreamFramer/maximumDepth``.
            case tooDeep
            /// A lone `0xFF` byte between messages (the guest agent's sync marker).
            case syncByte
        }

        /// Why the input was skipped.
        public var reason: String
        /// The skipped text (at most the first 200 bytes, lossily decoded).
        public var excerpt: String
        /// What kind of input it was.
        public var kind: Kind
        /// For a broken object: the keys found at its top level (e.g. `return`, `event`), as far as they could be
        /// read. They tell a reply from an event.
        public var keys: [String]
        /// For a broken object: its top-level `id`, when that could be read.
        public var id: JSON?

        /// A report of skipped input; each parameter sets the property of the same name.
        public init(reason: String, excerpt: String, kind: Kind = .garbage, keys: [String] = [], id: JSON? = nil) {
            self.reason = reason
            self.excerpt = excerpt
            self.kind = kind
            self.keys = keys
            self.id = id
        }

        /// True for a broken object (one protocol message), false for text between messages.
        public var isObject: Bool { kind != .garbage && kind != .syncByte }

        public var description: String { "\(reason): \(excerpt)" }
    }

    /// A message longer than ``maximumMessageSize``. No longer thrown (such a message is reported as a
    /// ``MalformedInput/Kind/tooLarge`` item); kept for source compatibility.
    public struct MessageTooLarge: Error, Sendable, CustomStringConvertible {
        /// The limit that was exceeded, in bytes (the framer's ``JSONStreamFramer/maximumMessageSize``).
        public var limit: Int
        public var description: String { "a QMP message exceeded the limit of \(limit) bytes" }
    }

    /// The largest message accepted, in bytes.
    public var maximumMessageSize: Int
    /// The deepest nesting accepted.
    public var maximumDepth: Int

    private var buffer: [UInt8] = []
    /// Start of the message being framed (or of unread input).
    private var start = 0
    /// Next byte to scan.
    private var scan = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// True while skipping a garbage line up to its newline.
    private var skippingGarbage = false
    /// Set while discarding an object over a limit: what to report once it ends.
    private var discarding: MalformedInput? {
        didSet { isDiscarding = discarding != nil }
    }
    /// `discarding != nil`, kept apart for the per-byte checks: testing the optional struct itself copied it (and
    /// retained its strings) for every byte, ~1 700 instructions a reply (callgrind).
    private var isDiscarding = false
    /// The first bytes of a garbage line whose bytes were already dropped.
    private var garbageExcerpt: [UInt8]?
    /// A newline at or after `scan` that ``lineFastPath`` found, so objects before it on its line are not searched
    /// again; and the end of a stretch of the buffer known to hold no newline. Each byte is searched once.
    private var knownNewline: Int?
    private var newlineFreeTo = 0
    /// The parser's stacks and short strings, kept from one message to the next.
    private var parserScratch = JSONParserScratch()

    /// A framer with an empty buffer.
    ///
    /// - Parameters:
    ///   - maximumMessageSize: The largest message accepted, in bytes (256 MiB by default); a larger one is
    ///     skipped as it arrives and reported as ``MalformedInput/Kind/tooLarge``, so the buffer never holds more.
    ///   - maximumDepth: The deepest nesting accepted (``JSON/maximumNestingDepth`` by default); a deeper object
    ///     is reported as ``MalformedInput/Kind/tooDeep``.
    public init(maximumMessageSize: Int = 256 << 20, maximumDepth: Int = JSON.maximumNestingDepth) {
        self.maximumMessageSize = maximumMessageSize
        self.maximumDepth = maximumDepth
    }

    /// Bytes received but not yet returned as an item.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True when a message has begun but is not complete (e.g. the peer closed mid-message).
    public var isInsideMessage: Bool {
        depth > 0 || skippingGarbage && (bufferedByteCount > 0 || garbageExcerpt != nil)
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfUseful()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compactIfUseful()
        buffer.append(contentsOf: bytes)
    }

    private mutating func compactIfUseful() {
        if start > 0 && (start == buffer.count || start >= 65536 && start * 2 >= buffer.count) {
            buffer.removeSubrange(0..<start)
            scan -= start
            knownNewline = knownNewline.map { $0 - start }
            newlineFreeTo = max(0, newlineFreeTo - start)
            start = 0
        }
    }

    /// The next complete item, or `nil` when more bytes are needed. (Never throws any more; see
    /// ``MessageTooLarge``.)
    public mutating func next() throws(MessageTooLarge) -> Item? {
        // A second reference to the storage (no copy) so `nextItem` can update the scan state while reading it.
        let storage = buffer
        return storage.withUnsafeBytes { raw in nextItem(raw) }
    }

    private mutating func nextItem(_ bytes: UnsafeRawBufferPointer) -> Item? {
        let count = bytes.count
        while scan < count {
            let byte = bytes[scan]
            if skippingGarbage {
                if byte == UInt8(ascii: "\n") {
                    skippingGarbage = false
                    let item = garbage(bytes, start..<scan)
                    scan += 1
                    start = scan
                    return item
                }
                scan += 1
                if scan - start > 4096 {
                    // Keep the excerpt, drop the rest: a line with no newline must not grow the buffer.
                    if garbageExcerpt == nil { garbageExcerpt = Array(bytes[start..<(start + 200)]) }
                    start = scan
                }
                continue
            }
            if depth == 0 {
                switch byte {
                case 0x20, 0x0A, 0x0D, 0x09:
                    scan += 1
                    start = scan
                case UInt8(ascii: "{"):
                    start = scan
                    if let object = lineFastPath(bytes) { return .object(object) }
                    depth = 1
                    scan += 1
                case 0xFF:
                    scan += 1
                    start = scan
                    return .malformed(MalformedInput(reason: "sync byte 0xFF", excerpt: "\u{FFFD}", kind: .syncByte))
                default:
                    start = scan
                    skippingGarbage = true
                    scan += 1
                }
                continue
            }
            if inString {
                // Fast scan through the body of a string.
                while scan < count {
                    let b = bytes[scan]
                    if b == UInt8(ascii: "\n") {
                        // A raw newline cannot be inside a JSON string, not even after a backslash: the message is
                        // broken. Resynchronise.
                        let item = discarding.map { Item.malformed($0) }
                            ?? broken(bytes, start..<scan, reason: "unterminated string", kind: .truncatedObject)
                        resetState()
                        scan += 1
                        start = scan
                        return item
                    } else if escaped {
                        escaped = false
                    } else if b == UInt8(ascii: "\\") {
                        escaped = true
                    } else if b == UInt8(ascii: "\"") {
                        inString = false
                        scan += 1
                        break
                    }
                    scan += 1
                }
                if isDiscarding {
                    start = scan
                } else if scan - start > maximumMessageSize {
                    startDiscarding(bytes, reason: "message larger than \(maximumMessageSize) bytes", kind: .tooLarge)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{") where scan > 0 && bytes[scan - 1] == UInt8(ascii: "\n"):
                // `{` at the start of a line inside a message: the message was cut short (QEMU indents nested
                // lines, even with pretty=on) and a new one begins. Skip the broken part, frame the new one.
                let item = discarding.map { Item.malformed($0) }
                    ?? broken(bytes, start..<(scan - 1), reason: "truncated message", kind: .truncatedObject)
                resetState()
                start = scan
                depth = 1
                scan += 1
                return item
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maximumDepth && !isDiscarding {
                    startDiscarding(bytes, reason: "JSON nested more than \(maximumDepth) levels deep", kind: .tooDeep)
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    let range = start..<(scan + 1)
                    scan += 1
                    start = scan
                    if let report = discarding {
                        discarding = nil
                        return .malformed(report)
                    }
                    // The limit holds however the message arrived, a whole one in a single read included.
                    if range.count > maximumMessageSize {
                        return broken(bytes, range, reason: "message larger than \(maximumMessageSize) bytes", kind: .tooLarge)
                    }
                    return parse(bytes, range)
                }
            default: break
            }
            scan += 1
            if isDiscarding {
                start = scan
            } else if scan - start > maximumMessageSize {
                startDiscarding(bytes, reason: "message larger than \(maximumMessageSize) bytes", kind: .tooLarge)
            }
        }
        return nil
    }

    /// The fast path for an object at `scan` whose line has already arrived whole, as QEMU's messages do
    /// (without `pretty=on`, each is one line ending in "\r\n"): the newline is found with `memchr` and the object
    /// parsed directly, so its bytes are not first scanned byte by byte here (a third of the client's work on a
    /// 207 KB `query-qmp-schema` reply).
    ///
    /// `nil` leaves the object to the byte-by-byte scan, from the same state, so it frames exactly as before: no
    /// newline in the buffer yet (an object still arriving, or one that no newline follows), a line over
    /// ``maximumMessageSize``, or an object that does not parse before the newline (broken, too deep, or spread
    /// over several lines).
    private mutating func lineFastPath(_ bytes: UnsafeRawBufferPointer) -> JSONObject? {
        let count = bytes.count
        var newline: Int?
        if let known = knownNewline, known > scan {
            newline = known
        } else {
            let from = max(scan + 1, newlineFreeTo)
            if from < count, let base = bytes.baseAddress, let found = memchr(base + from, 0x0A, count - from) {
                newline = base.distance(to: UnsafeRawPointer(found))
            } else {
                newlineFreeTo = count
            }
        }
        knownNewline = newline
        guard let newline, newline - scan <= maximumMessageSize,
              let (object, length) = try? JSONParser.parseLeadingObject(
                UnsafeRawBufferPointer(rebasing: bytes[scan..<newline]), maximumDepth: maximumDepth,
                scratch: &parserScratch)
        else { return nil }
        scan += length
        start = scan
        return object
    }

    /// Reports the object begun at `start` once it ends, dropping its bytes as they come.
    private mutating func startDiscarding(_ bytes: UnsafeRawBufferPointer, reason: String, kind: MalformedInput.Kind) {
        if case .malformed(let report) = broken(bytes, start..<scan, reason: reason, kind: kind) { discarding = report }
        start = scan
    }

    private mutating func resetState() {
        depth = 0
        inString = false
        escaped = false
        skippingGarbage = false
        discarding = nil
    }

    private mutating func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Item {
        do {
            let value = try JSONParser.parseDocument(
                UnsafeRawBufferPointer(rebasing: bytes[range]), scratch: &parserScratch)
            if case .object(let object) = value { return .object(object) }
            return broken(bytes, range, reason: "not a JSON object", kind: .invalidObject)
        } catch {
            return broken(bytes, range, reason: "invalid JSON (\(error.message))", kind: .invalidObject)
        }
    }

    private mutating func garbage(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Item {
        let head: [UInt8]
        if let kept = garbageExcerpt {
            head = kept
            garbageExcerpt = nil
        } else {
            head = Array(bytes[range.lowerBound..<min(range.upperBound, range.lowerBound + 200)])
        }
        return .malformed(MalformedInput(reason: "not a JSON object", excerpt: Self.excerpt(head), kind: .garbage))
    }

    /// A broken object: the reason, an excerpt, and the top-level keys and `id` as far as they can be read.
    private func broken(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, reason: String, kind: MalformedInput.Kind)
        -> Item
    {
        let end = min(range.upperBound, range.lowerBound + 200)
        let (keys, id) = Self.topLevelKeys(UnsafeRawBufferPointer(rebasing: bytes[range]))
        return .malformed(MalformedInput(
            reason: reason, excerpt: Self.excerpt(Array(bytes[range.lowerBound..<end])), kind: kind, keys: keys, id: id))
    }

    private static func excerpt(_ head: [UInt8]) -> String {
        var excerpt = String(decoding: head, as: UTF8.self)
        while excerpt.last == "\r" { excerpt.removeLast() }
        return excerpt
    }

    /// The keys at depth 1 of the object text in `bytes` (which starts at its `{`), read leniently, and the value of
    /// its `id` when that is a scalar that parses.
    static func topLevelKeys(_ bytes: UnsafeRawBufferPointer) -> ([String], JSON?) {
        var keys: [String] = []
        var id: JSON?
        var depth = 0
        var position = 0
        var expectKey = false
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                let stringStart = position + 1
                position += 1
                while position < bytes.count && bytes[position] != UInt8(ascii: "\"") {
                    if bytes[position] == UInt8(ascii: "\\") { position += 1 }
                    position += 1
                }
                if depth == 1 && expectKey && keys.count < 16 {
                    let key = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[stringStart..<min(position, bytes.count, stringStart + 64)]), as: UTF8.self)
                    keys.append(key)
                    if key == "id" { id = scalar(bytes, after: position + 1) }
                }
                expectKey = false
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectKey = depth == 1
            default: break
            }
            position += 1
        }
        return (keys, id)
    }

    /// The scalar value after a key's closing quote at `position` (`: 42,` or `: "a"}`), when it parses.
    private static func scalar(_ bytes: UnsafeRawBufferPointer, after position: Int) -> JSON? {
        var begin = position
        while begin < bytes.count, [UInt8(ascii: ":"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[begin]) { begin += 1 }
        guard begin < bytes.count else { return nil }
        var end = begin + 1
        if bytes[begin] == UInt8(ascii: "\"") {
            while end < bytes.count && bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") { end += 1 }
                end += 1
            }
            end += 1
        } else {
            while end < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), 0x20, 0x0A, 0x0D].contains(bytes[end]) {
                end += 1
            }
        }
        guard end <= bytes.count, end - begin <= 256 else { return nil }
        return try? JSON(parsing: UnsafeRawBufferPointer(rebasing: bytes[begin..<end]))
    }
}
