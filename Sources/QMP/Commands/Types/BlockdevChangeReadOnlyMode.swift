/// How `blockdev-change-medium` opens the new medium.
public struct BlockdevChangeReadOnlyMode: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Keep the old medium's mode (the default).
    public static let retain: BlockdevChangeReadOnlyMode = "retain"
    /// Open the new medium read-only.
    public static let readOnly: BlockdevChangeReadOnlyMode = "read-only"
    /// Open the new medium read-write; fails for a file that can only be read.
    public static let readWrite: BlockdevChangeReadOnlyMode = "read-write"
}
