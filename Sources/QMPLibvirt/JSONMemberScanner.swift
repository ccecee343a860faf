#if canImport(Glibc)
import Glibc
#endif

/// The top-level members of a JSON object's text, found where the text lies, without building any value.
///
/// The libvirt transport uses it to look at a request the client encoded (which members it has, where its `id` is)
/// without parsing it (callgrind: the request's full parse and its re-serialization were about 7k instructions of
/// a command). It checks the object's structure (strings, nesting, separators), not the values
/// themselves: whoever uses a value's range parses it, and anything unexpected sends the caller back to a full parse.
struct JSONMemberScanner {
    /// One member: byte ranges into the scanned text.
    struct Member {
        /// The key's bytes between its quotes (escapes left as written).
        var key: Range<Int>
        /// Whether the key holds a backslash (then its bytes are not its name).
        var keyHasEscape: Bool
        /// The value's bytes, from its first to its last byte.
        var value: Range<Int>

        /// From the key's opening quote to the value's last byte: the member as written.
        var whole: Range<Int> { (key.lowerBound - 1)..<value.upperBound }
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    /// Set when the text is not an object of the expected structure; ``next()`` then returns `nil`.
    private(set) var failed = false
    /// Set once the object's closing brace was reached.
    private(set) var finished = false

    /// A scanner over `bytes`, which should hold one JSON object (white space around it allowed).
    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            failed = true
            return
        }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            finish()
        }
    }

    /// The next member, or `nil` at the end of the object (``finished``) or on text it cannot follow (``failed``).
    mutating func next() -> Member? {
        guard !failed, !finished else { return nil }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return fail() }
        let keyStart = index + 1
        guard let (keyEnd, escaped) = skipString() else { return fail() }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return fail() }
        index += 1
        skipWhitespace()
        let valueStart = index
        guard skipValue() else { return fail() }
        let member = Member(key: keyStart..<keyEnd, keyHasEscape: escaped, value: valueStart..<index)
        skipWhitespace()
        guard index < bytes.count else { return fail() }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
        case UInt8(ascii: "}"):
            index += 1
            finish()
        default:
            return fail()
        }
        return member
    }

    /// Whether the member's key is exactly `name` (a key with escapes never is).
    func key(of member: Member, is name: StaticString) -> Bool {
        guard !member.keyHasEscape, member.key.count == name.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress! + member.key.lowerBound, name.utf8Start, member.key.count) == 0
    }

    /// Only white space may follow the object.
    private mutating func finish() {
        skipWhitespace()
        if index == bytes.count { finished = true } else { failed = true }
    }

    private mutating func fail() -> Member? {
        failed = true
        return nil
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Skips the string that starts at `index` (its opening quote); returns the offset of its closing quote and
    /// whether it holds an escape, or `nil` when it does not end.
    private mutating func skipString() -> (end: Int, escaped: Bool)? {
        var escaped = false
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let end = index
                index += 1
                return (end, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                index += 2
            default:
                index += 1
            }
        }
        return nil
    }

    /// Skips one value: a string, an array or object with everything nested in it, or a scalar (up to the next
    /// separator). False when it does not end.
    private mutating func skipValue() -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return skipString() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard skipString() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return true
                    }
                default:
                    break
                }
                index += 1
            }
            return false
        default:
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09:
                    return index > start
                default:
                    index += 1
                }
            }
            return false
        }
    }
}
