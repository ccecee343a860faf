/// What `info balloon` prints: `balloon: actual=256`, the guest's memory in MiB after ballooning.
///
/// Without a balloon device QEMU prints `Error: No balloon device has been activated`; parsing that throws
/// ``HMPParseError`` with code ``HMPParseError/Code/monitorError`` and QEMU's message.
///
/// ```swift
/// let balloon = try HMPBalloonInfo(parsing: "balloon: actual=128\r\n")
/// balloon.actualMiB   // 128
/// ```
public struct HMPBalloonInfo: Sendable, Hashable, Encodable {
    /// The memory the guest has, in MiB (QEMU prints `actual` shifted right by 20).
    public var actualMiB: Int

    /// A balloon reading of `actualMiB` MiB.
    public init(actualMiB: Int) {
        self.actualMiB = actualMiB
    }

    /// The memory the guest has, in bytes.
    public var actualBytes: Int { actualMiB << 20 }

    /// Parses the output of `info balloon`; other `key=value` pairs after `balloon:` (older QEMUs printed
    /// statistics there) are ignored.
    public init(parsing text: String) throws {
        for line in InfoText.lines(text) {
            let line = InfoText.trimmed(line)
            guard line.hasPrefix("balloon:") else { continue }
            let values = HMPParameters(parsing: line.dropFirst("balloon:".count), separator: " ")
            if let actual = values["actual"].flatMap({ Int($0) }) {
                self.init(actualMiB: actual)
                return
            }
        }
        throw InfoText.failure("info balloon", text, expected: "\"balloon: actual=N\"")
    }
}
