/// A JSON object that keeps its keys in insertion order.
///
/// Small objects (what QMP mostly exchanges) look keys up linearly, the fastest choice at that size; from
/// 24 keys on, a hash index keeps lookups and inserts O(1), so an object of any size parses in linear
/// time (a peer could otherwise stall the client with one 40 000-key message). Setting a key that exists replaces
/// its value in place; setting `nil` removes it. Equality ignores key order, as JSON does.
public struct JSONObject: Sendable, Hashable {
    /// The keys in insertion order, each once; `values[i]` belongs to `keys[i]`.
    public private(set) var keys: [String]
    /// The values in the order of ``keys``.
    public private(set) var values: [JSON]
    /// Position of each key, kept once the object has ``indexThreshold`` keys.
    private var index: [String: Int]?

    /// The number of keys from which lookups go through a hash index.
    static let indexThreshold = 24

    /// An empty object, `{}`.
    public init() {
        keys = []
        values = []
    }

    /// An object with the given members in order; later duplicates replace earlier ones.
    public init(_ members: [(String, JSON)]) {
        self.init()
        keys.reserveCapacity(members.count)
        values.reserveCapacity(members.count)
        for (key, value) in members { self[key] = value }
    }

    /// An object with `keys` (each once) and their `values`; `index` is the position of each key when there are at
    /// least ``indexThreshold`` keys (built here when `nil`). For the parser, which has checked the keys already.
    init(uniqueKeys keys: [String], values: [JSON], index: [String: Int]?) {
        self.keys = keys
        self.values = values
        self.index = index
        if index == nil && keys.count >= Self.indexThreshold { rebuildIndex() }
    }

    /// The number of members.
    public var count: Int { keys.count }
    /// Whether the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    /// The value of member `key`, or `nil` when there is none.
    ///
    /// Setting a value for a key that exists replaces it and keeps the key's position; a new key goes last.
    /// Setting `nil` removes the member (a JSON `null` member is `.null`, not `nil`).
    public subscript(key: String) -> JSON? {
        get {
            guard let position = position(of: key) else { return nil }
            return values[position]
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    values[position] = newValue
                } else {
                    keys.remove(at: position)
                    values.remove(at: position)
                    rebuildIndex()
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if index != nil {
                    index![key] = keys.count - 1
                } else if keys.count >= Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        guard keys.count >= Self.indexThreshold else {
            index = nil
            return
        }
        var built: [String: Int] = [:]
        built.reserveCapacity(keys.count)
        for (position, key) in keys.enumerated() { built[key] = position }
        index = built
    }

    /// The members in order.
    public var members: [(key: String, value: JSON)] {
        Array(zip(keys, values)).map { (key: $0.0, value: $0.1) }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        for (key, value) in zip(lhs.keys, lhs.values) where rhs[key] != value {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for key in keys.sorted() { hasher.combine(key) }
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> some IteratorProtocol<(key: String, value: JSON)> {
        var index = 0
        let keys = self.keys
        let values = self.values
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            return (key: keys[index], value: values[index])
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }
}
