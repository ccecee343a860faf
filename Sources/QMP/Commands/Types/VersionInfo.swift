import QMPWire

/// What `query-version` returns: QEMU's version numbers and the distribution's package string.
public struct VersionInfo: Codable, Sendable, Hashable {
    /// The upstream version.
    public var qemu: VersionTriple
    /// The package string, e.g. `Debian 1:7.2+dfsg-7+deb12u18+b3`; may be empty or carry a leading space.
    public var package: String

    /// Creates a value from its members.
    public init(qemu: VersionTriple, package: String) {
        self.qemu = qemu
        self.package = package
    }

    private var trimmedPackage: String {
        var slice = Substring(package)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }

    /// The version as the comparable `QEMUVersion` the greeting also uses (package string trimmed).
    public var version: QEMUVersion {
        QEMUVersion(
            major: qemu.major, minor: qemu.minor, micro: qemu.micro,
            package: trimmedPackage)
    }
}

/// `major.minor.micro`.
public struct VersionTriple: Codable, Sendable, Hashable {
    /// The major version (`7` in 7.2.1).
    public var major: Int
    /// The minor version (`2` in 7.2.1).
    public var minor: Int
    /// The micro (patch) version (`1` in 7.2.1); `90` and up marks a development tree before the next release.
    public var micro: Int

    /// Creates a value from its members.
    public init(major: Int, minor: Int, micro: Int) {
        self.major = major
        self.minor = minor
        self.micro = micro
    }
}
