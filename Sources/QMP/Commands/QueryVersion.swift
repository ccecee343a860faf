/// Asks for QEMU's version.
///
/// Returns the upstream `major.minor.micro` and the distribution's package string; ``VersionInfo/version``
/// gives the comparable `QEMUVersion` the greeting also carries.
public struct QueryVersion: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-version"
    /// The reply's type.
    public typealias Response = VersionInfo

    /// The command (it takes no arguments).
    public init() {}
}
