/// How `blockdev-change-medium` opens the new medium.
public struct BlockdevChangeReadOnlyMode: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Keep the old medium's mode (the default).
    public static let retain: BlockdevChangeReadOnlyMode = "retain"
    public static let readOnly: BlockdevChangeReadOnlyMode = "read-only"
    public static let readWrite: BlockdevChangeReadOnlyMode = "read-write"
}
