/// Ends capabilities negotiation; every other command fails with `CommandNotFound` until this is sent.
///
/// Returns `{}`. `enable` turns on optional capabilities the greeting offered (only `oob` in QEMU 7.2);
/// asking for one that was not offered is an error.
public struct QMPCapabilities: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "qmp_capabilities"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// Capabilities to enable, e.g. `["oob"]`; `nil` sends no `enable` member.
    public var enable: [String]?

    /// Creates a value from its members.
    public init(enable: [String]? = nil) {
        self.enable = enable
    }
}
