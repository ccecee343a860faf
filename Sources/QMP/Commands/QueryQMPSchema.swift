import QMPWire

/// Asks for the full introspection schema.
///
/// Returns the schema's entities as raw JSON (about 1,000 entries, ~200 KB on one line for QEMU 7.2). Type
/// names in it are masked as numbers (`"arg-type": "16"`), and `device_add` properties are not in it (use
/// ``DeviceListProperties``).
public struct QueryQMPSchema: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-qmp-schema"
    /// The reply's type.
    public typealias Response = [JSON]

    /// The command (it takes no arguments).
    public init() {}
}
