/// What `info status` prints: whether the guest runs, and why it is paused.
///
/// Reads `VM status: running`, `VM status: paused`, `VM status: paused (prelaunch)` and the single-step forms
/// (`VM status: running (single step mode)`). QEMU names the run state only when the guest is stopped for some
/// other reason than `stop`; ``reason`` is `nil` otherwise.
///
/// ```swift
/// let status = try HMPStatusInfo(parsing: "VM status: paused (prelaunch)\r\n")
/// status.running   // false
/// status.reason    // "prelaunch"
/// ```
public struct HMPStatusInfo: Sendable, Hashable, Encodable {
    /// Whether the vCPUs run.
    public var running: Bool
    /// The word QEMU prints: `running` or `paused`.
    public var status: String
    /// The run state in parentheses after `paused`: `prelaunch`, `shutdown`, `debug`, `io-error`, `suspended`, ...
    public var reason: String?
    /// Whether QEMU added `(single step mode)`.
    public var singleStep: Bool

    /// A status with the given fields; `init(parsing:)` fills it from `info status`.
    public init(running: Bool, status: String, reason: String? = nil, singleStep: Bool = false) {
        self.running = running
        self.status = status
        self.reason = reason
        self.singleStep = singleStep
    }

    /// The run state as `query-status` would name it: the reason when there is one, else the status word.
    public var runState: String { reason ?? status }

    /// Parses the output of `info status`; lines other than `VM status: ...` are ignored.
    public init(parsing text: String) throws {
        for line in InfoText.lines(text) {
            let line = InfoText.trimmed(line)
            guard line.hasPrefix("VM status:") else { continue }
            var rest = InfoText.trimmed(line.dropFirst("VM status:".count))
            let word = rest.prefix(while: { !$0.isWhitespace && $0 != "(" })
            guard !word.isEmpty else { continue }
            rest = InfoText.trimmed(rest.dropFirst(word.count))
            var reason: String?
            var singleStep = false
            // Parenthesised groups, in order: "(single step mode)" and/or "(RUNSTATE)".
            while rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
                let group = InfoText.trimmed(rest[rest.index(after: rest.startIndex)..<close])
                if group == "single step mode" {
                    singleStep = true
                } else if !group.isEmpty {
                    reason = String(group)
                }
                rest = InfoText.trimmed(rest[rest.index(after: close)...])
            }
            self.init(running: word == "running", status: String(word), reason: reason, singleStep: singleStep)
            return
        }
        throw InfoText.failure("info status", text, expected: "\"VM status: ...\"")
    }
}
