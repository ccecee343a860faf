/// Asks for QEMU's version.
///
/// Returns the upstream `major.minor.micro` and the distribution's package string; ``VersionInfo/version``
/// gives the comparable ``QEMUVersion`` the greeting also carries.
public struct QueryVersion: QMPCommand, Hashable {
    public static let name = "query-version"
    public typealias Response = VersionInfo

    public init() {}
}
