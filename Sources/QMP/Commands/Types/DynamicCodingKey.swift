import QMPWire

/// A coding key made from any string: lets a command write members whose names are known only at run time
/// (the free-form properties of `device_add`, `netdev_add`, `object-add`).
struct DynamicCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ stringValue: String) { self.stringValue = stringValue }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer where Key == DynamicCodingKey {
    /// Writes `value` under `key` when it is not `nil`.
    mutating func encode<T: Encodable>(_ value: T?, ifPresentFor key: String) throws {
        guard let value else { return }
        try encode(value, forKey: DynamicCodingKey(key))
    }

    /// Writes each member of `properties` at this level, in order, leaving out the names in `reserved`
    /// (the command's typed arguments, which take precedence over a free-form property of the same name).
    mutating func encodeFlattened(_ properties: JSONObject, skipping reserved: Set<String>) throws {
        for (key, value) in properties where !reserved.contains(key) {
            try encode(value, forKey: DynamicCodingKey(key))
        }
    }
}
