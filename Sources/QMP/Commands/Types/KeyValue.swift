import QMPWire

/// A key for `send-key`: by name (`{"type": "qcode", "data": "ctrl"}`) or by raw scancode
/// (`{"type": "number", "data": 29}`).
///
/// ```swift
/// SendKey(keys: [.qcode("ctrl"), .qcode("alt"), .qcode(.delete)])
/// ```
public enum KeyValue: Codable, Sendable, Hashable {
    /// A key by its QEMU name.
    case qcode(QKeyCode)
    /// A key by its scancode (a number such as `0x1d`).
    case number(Int)
    /// A kind of key this library does not know, kept as sent.
    case other(type: String, data: JSON)

    /// Reads the wire form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "qcode": self = .qcode(try container.decode(QKeyCode.self, forKey: .data))
        case "number": self = .number(try container.decode(Int.self, forKey: .data))
        default: self = .other(type: type, data: try container.decode(JSON.self, forKey: .data))
        }
    }

    /// Writes the wire form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .qcode(let code):
            try container.encode("qcode", forKey: .type)
            try container.encode(code, forKey: .data)
        case .number(let number):
            try container.encode("number", forKey: .type)
            try container.encode(number, forKey: .data)
        case .other(let type, let data):
            try container.encode(type, forKey: .type)
            try container.encode(data, forKey: .data)
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, data
    }
}
