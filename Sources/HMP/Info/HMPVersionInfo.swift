/// What `info version` prints: QEMU's version triple and the package string of the build.
///
/// QEMU prints the package right after the version with nothing in between (`7.2.22Debian 1:7.2+dfsg-...`,
/// where `qemu-system-x86_64 --version` shows `7.2.22 (Debian 1:7.2+dfsg-...)`); builds without a package string
/// print the version alone.
///
/// ```swift
/// let version = try HMPVersionInfo(parsing: "7.2.22Debian 1:7.2+dfsg-7+deb12u18+b3\r\n")
/// version.version   // "7.2.22"
/// version.package   // "Debian 1:7.2+dfsg-7+deb12u18+b3"
/// ```
public struct HMPVersionInfo: Sendable, Hashable, Encodable {
    /// The major version (7 in 7.2.22).
    public var major: Int
    /// The minor version (2 in 7.2.22).
    public var minor: Int
    /// The micro version (22 in 7.2.22).
    public var micro: Int
    /// The build's package string (`query-version`'s `package`), `nil` when QEMU printed none.
    public var package: String?

    /// The version `major.minor.micro`, with `package` as the build's package string.
    public init(major: Int, minor: Int, micro: Int, package: String? = nil) {
        self.major = major
        self.minor = minor
        self.micro = micro
        self.package = package
    }

    /// `major.minor.micro`.
    public var version: String { "\(major).\(minor).\(micro)" }

    /// Parses the output of `info version`: the first line that starts with `N.N.N`.
    public init(parsing text: String) throws {
        for line in InfoText.lines(text) {
            var scanner = InfoScanner(InfoText.trimmed(line))
            guard let major = scanner.decimal(), scanner.skip("."), let minor = scanner.decimal(), scanner.skip("."),
                let micro = scanner.decimal()
            else { continue }
            let package = InfoText.trimmed(scanner.rest)
            self.init(major: major, minor: minor, micro: micro, package: package.isEmpty ? nil : String(package))
            return
        }
        throw InfoText.failure("info version", text, expected: "a version such as \"7.2.22\"")
    }
}
