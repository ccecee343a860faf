/// Lists every named block node, attached to a device or not.
///
/// Returns one ``BlockDeviceInfo`` per node, including the protocol nodes below formats and the nodes of backing
/// chains. Each node's `image` lists its backing chain in full unless `flat` is set (then `backingImage` is
/// absent and `backingFileDepth` reads 0).
public struct QueryNamedBlockNodes: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-named-block-nodes"
    /// The reply's type.
    public typealias Response = [BlockDeviceInfo]

    /// Leave out the backing images nested in each node's `image`.
    public var flat: Bool?

    /// Creates a value from its members.
    public init(flat: Bool? = nil) {
        self.flat = flat
    }
}
