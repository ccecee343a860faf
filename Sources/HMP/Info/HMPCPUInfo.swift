/// One line of `info cpus`: `* CPU #0: thread_id=2485`.
///
/// The `*` marks the monitor's current CPU (the one `info registers` shows; QMP's `human-monitor-command` sets it
/// with `cpu-index`). QEMU 7.2 prints no QOM path here; `query-cpus-fast` has it.
public struct HMPCPUInfo: Sendable, Hashable, Encodable {
    /// The CPU index (`CPU #1`).
    public var index: Int
    /// Whether the line starts with `*`.
    public var current: Bool
    /// The host thread running the vCPU (`thread_id=`).
    public var threadID: Int?
    /// The CPU state, printed for s390x only (`state=operating`).
    public var state: String?
    /// Every `key=value` after `CPU #N:`, in order (other targets and versions add their own).
    public var properties: HMPParameters

    /// A CPU line with the given fields; `parse(_:)` fills it from `info cpus`.
    public init(
        index: Int, current: Bool = false, threadID: Int? = nil, state: String? = nil,
        properties: HMPParameters = HMPParameters()
    ) {
        self.index = index
        self.current = current
        self.threadID = threadID
        self.state = state
        self.properties = properties
    }

    /// Parses the output of `info cpus`. Throws ``HMPParseError`` when no `CPU #N:` line is there (every machine has
    /// a CPU, so empty output is an error too).
    public static func parse(_ text: String) throws -> [HMPCPUInfo] {
        let cpus = InfoText.lines(text).compactMap(HMPCPUInfo.init(line:))
        if cpus.isEmpty {
            throw InfoText.failure("info cpus", text, expected: "\"CPU #N: thread_id=...\"")
        }
        return cpus
    }

    /// Reads `[*] CPU #N: key=value ...`; `nil` for any other line.
    init?(line: Substring) {
        var scanner = InfoScanner(line)
        let current = scanner.skip("*")
        guard scanner.skip("CPU #"), let index = scanner.decimal(), scanner.skip(":") else { return nil }
        let properties = HMPParameters(parsing: scanner.rest, separator: " ")
        self.init(
            index: index, current: current, threadID: properties["thread_id"].flatMap { Int($0) },
            state: properties["state"], properties: properties)
    }
}
