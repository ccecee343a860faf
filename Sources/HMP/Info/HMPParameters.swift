/// `key=value` pairs in the order QEMU printed them, such as a NIC's `model=virtio-net-pci,macaddr=52:54:00:12:34:56`
/// or a drive's I/O throttling limits.
///
/// Encodes as a JSON object whose members keep that order. A piece without `=` is taken as part of the previous
/// value (a file name with a comma in it), or dropped when nothing comes before it.
public struct HMPParameters: Sendable, Hashable, Encodable, ExpressibleByDictionaryLiteral {
    /// One `key=value` pair.
    public struct Pair: Sendable, Hashable {
        /// The text before the first `=`.
        public var key: String
        /// The text after the first `=` (it may contain `=` and, after a piece without one, the separator).
        public var value: String

        /// The pair `key=value`.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The pairs in the order QEMU printed them; a key may repeat.
    public var pairs: [Pair]

    /// Parameters holding `pairs` in this order.
    public init(_ pairs: [Pair] = []) {
        self.pairs = pairs
    }

    /// Parameters from a literal such as `["model": "e1000"]`, in the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { Pair(key: $0.0, value: $0.1) }
    }

    /// Parses `a=1,b=2` (separator `,`) or `a=1 b=2` (separator ` `).
    public init(parsing text: some StringProtocol, separator: Character) {
        var pairs: [Pair] = []
        for piece in text.split(separator: separator, omittingEmptySubsequences: true) {
            if let equals = piece.firstIndex(of: "=") {
                pairs.append(Pair(key: String(piece[..<equals]), value: String(piece[piece.index(after: equals)...])))
            } else if !pairs.isEmpty {
                pairs[pairs.count - 1].value += String(separator) + piece
            }
        }
        self.pairs = pairs
    }

    /// The value of the first pair named `key`.
    public subscript(key: String) -> String? {
        pairs.first { $0.key == key }?.value
    }

    /// True when there is no pair.
    public var isEmpty: Bool { pairs.isEmpty }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: InfoCodingKey.self)
        for pair in pairs {
            try container.encode(pair.value, forKey: InfoCodingKey(stringValue: pair.key))
        }
    }
}

/// A coding key made from any string.
struct InfoCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        return nil
    }
}
