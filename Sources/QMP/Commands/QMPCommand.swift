import QMPWire

/// A typed QMP command: its wire name, its arguments (the encoded properties) and the type of its reply.
///
/// One command per file, as `Commands/<Name>.swift`:
/// ```swift
/// public struct QueryStatus: QMPCommand {
///     public static let name = "query-status"
///     public typealias Response = StatusInfo
///     public init() {}
/// }
/// ```
/// Decoding is tolerant of version drift: unknown fields are ignored and absent optionals are fine.
public protocol QMPCommand: Encodable, Sendable {
    /// The type the reply's `return` value decodes into; ``QMPEmpty`` for commands that answer `{}`.
    associatedtype Response: Decodable & Sendable
    /// The command's wire name.
    static var name: String { get }
}

/// The reply of commands that return nothing useful (`{}`); decodes from any value.
public struct QMPEmpty: Decodable, Sendable, Equatable {
    /// The command (it takes no arguments).
    public init() {}
    /// Reads the wire form.
    public init(from decoder: any Decoder) throws {}
}

/// A value of a QMP enumeration. Values a newer QEMU adds are kept as they are rather than failing to decode.
public protocol QMPEnum: RawRepresentable<String>, Codable, Sendable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    init(rawValue: String)
}

extension QMPEnum {
    /// Creates a value from its members.
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    /// Reads the wire form.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    /// Writes the wire form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    /// A one-line description.
    public var description: String { rawValue }
}
