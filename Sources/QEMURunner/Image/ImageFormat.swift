/// A disk image format as qemu-img names it (`qcow2`, `raw`, and any other that `qemu-img info` reports).
///
/// A growable set of names rather than a closed enum: creation passes the name to qemu-img as is, and
/// `ImageFormat(rawValue: info.format)` holds whatever format ``DiskImage/info(path:program:)`` found (`vmdk`, ...).
public struct ImageFormat: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    /// QEMU's copy-on-write format: grows on demand, backing files, snapshots.
    public static let qcow2 = ImageFormat(rawValue: "qcow2")
    /// A plain byte-for-byte disk (sparse where the file system allows).
    public static let raw = ImageFormat(rawValue: "raw")

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
