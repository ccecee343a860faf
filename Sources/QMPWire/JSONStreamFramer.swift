/// Splits a byte stream into whole JSON objects, whatever the chunking.
///
/// Messages are found by tracking object nesting and strings, not by newlines, so QEMU's `pretty=on` output
/// (one message over many lines), several messages in one read, a message split anywhere and `\r\n` line ends
/// all frame the same way. Each byte is scanned once, however the stream is cut, so a 16 MiB reply arriving in
/// small reads costs linear time.
///
/// What is *not* a fatal error: text outside an object (a garbage line, a bare number or array) and an object that
/// does not parse are reported as ``Item/malformed(_:)`` and skipped; framing resumes at the next line. A message
/// cut short (a string broken by a raw newline, or a line that starts with `{` while a message is still open) is
/// skipped the same way, so the message after it is not lost. Nested lines are indented in every JSON QEMU sends,
/// so a `{` at the start of a line always begins a new message.
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
        /// Bytes that are not a JSON object; the stream goes on after them.
        case malformed(MalformedInput)
    }

    /// Input that was skipped, with the reason.
    public struct MalformedInput: Sendable, Equatable, CustomStringConvertible {
        /// Why the input was skipped.
        public var reason: String
        /// The skipped text (at most the first 200 bytes, lossily decoded).
        public var excerpt: String

        public var description: String { "\(reason): \(excerpt)" }
    }

    /// A message longer than ``maximumMessageSize``: the stream cannot be framed any further.
    public struct MessageTooLarge: Error, Sendable, CustomStringConvertible {
        public var limit: Int
        public var description: String { "a QMP message exceeded the limit of \(limit) bytes" }
    }

    /// The largest message accepted, in bytes.
    public var maximumMessageSize: Int

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

    public init(maximumMessageSize: Int = 256 << 20) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// Bytes received but not yet returned as an item.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True when a message has begun but is not complete (e.g. the peer closed mid-message).
    public var isInsideMessage: Bool { depth > 0 || skippingGarbage && bufferedByteCount > 0 }

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
            start = 0
        }
    }

    /// The next complete item, or `nil` when more bytes are needed.
    public mutating func next() throws(MessageTooLarge) -> Item? {
        // A second reference to the storage (no copy) so `nextItem` can update the scan state while reading it.
        let storage = buffer
        let result = storage.withUnsafeBytes { raw in
            Result { () throws(MessageTooLarge) in try nextItem(raw) }
        }
        return try result.get()
    }

    private mutating func nextItem(_ bytes: UnsafeRawBufferPointer) throws(MessageTooLarge) -> Item? {
        let count = bytes.count
        while scan < count {
            let byte = bytes[scan]
            if skippingGarbage {
                if byte == UInt8(ascii: "\n") {
                    skippingGarbage = false
                    let item = malformed(bytes, start..<scan, reason: "not a JSON object")
                    scan += 1
                    start = scan
                    return item
                }
                scan += 1
                continue
            }
            if depth == 0 {
                switch byte {
                case 0x20, 0x0A, 0x0D, 0x09:
                    scan += 1
                    start = scan
                case UInt8(ascii: "{"):
                    start = scan
                    depth = 1
                    scan += 1
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
                        let item = malformed(bytes, start..<scan, reason: "unterminated string")
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
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{") where bytes[scan - 1] == UInt8(ascii: "\n"):
                // `{` at the start of a line inside a message: the message was cut short (QEMU indents nested
                // lines, even with pretty=on) and a new one begins. Skip the broken part, frame the new one.
                let item = malformed(bytes, start..<(scan - 1), reason: "truncated message")
                resetState()
                start = scan
                depth = 1
                scan += 1
                return item
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    let range = start..<(scan + 1)
                    // The limit holds however the message arrived, a whole one in a single read included.
                    if range.count > maximumMessageSize { throw MessageTooLarge(limit: maximumMessageSize) }
                    scan += 1
                    start = scan
                    return parse(bytes, range)
                }
            default: break
            }
            scan += 1
            if scan - start > maximumMessageSize { throw MessageTooLarge(limit: maximumMessageSize) }
        }
        if depth > 0 && scan - start > maximumMessageSize { throw MessageTooLarge(limit: maximumMessageSize) }
        return nil
    }

    private mutating func resetState() {
        depth = 0
        inString = false
        escaped = false
        skippingGarbage = false
    }

    private func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Item {
        do {
            let value = try JSON(parsing: UnsafeRawBufferPointer(rebasing: bytes[range]))
            if case .object(let object) = value { return .object(object) }
            return malformed(bytes, range, reason: "not a JSON object")
        } catch {
            return malformed(bytes, range, reason: "invalid JSON (\(error.message))")
        }
    }

    private func malformed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, reason: String) -> Item {
        let end = min(range.upperBound, range.lowerBound + 200)
        var excerpt = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range.lowerBound..<end]), as: UTF8.self)
        while excerpt.last == "\r" { excerpt.removeLast() }
        return .malformed(MalformedInput(reason: reason, excerpt: excerpt))
    }
}
