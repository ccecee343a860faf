public import QMP
import QMPWire

/// One progress report of a long operation (a job or a migration), in the form the renderers print.
public struct ProgressSample: Sendable, Equatable {
    /// What runs, e.g. `backup0` or `migration`.
    public var label: String
    /// The job or migration status, e.g. `running`, `active`, `concluded`.
    public var status: String
    /// Done fraction 0...1; `nil` while unknown.
    public var fraction: Double?
    /// Bytes done and in total (0 while unknown).
    public var done: Int64
    /// The total in bytes; 0 while unknown.
    public var total: Int64
    /// Bytes per second; `nil` while unknown.
    public var rate: Double?
    /// Time to completion at the current rate; nil while unknown.
    public var estimatedTimeLeft: Duration?
    /// Further figures for the JSON form and the plain line (e.g. `expected-downtime-ms`).
    public var extra: [(String, JSON)] = []
    /// True for the last report.
    public var isFinal: Bool

    /// A report with these figures (bytes and bytes per second); `extra` holds further named values.
    public init(
        label: String, status: String, fraction: Double?, done: Int64, total: Int64, rate: Double?,
        estimatedTimeLeft: Duration?, isFinal: Bool, extra: [(String, JSON)] = []
    ) {
        self.label = label
        self.status = status
        self.fraction = fraction
        self.done = done
        self.total = total
        self.rate = rate
        self.estimatedTimeLeft = estimatedTimeLeft
        self.isFinal = isFinal
        self.extra = extra
    }

    /// A job's progress.
    public init(_ progress: JobProgress) {
        self.init(
            label: progress.id, status: progress.status.rawValue, fraction: progress.fraction, done: progress.current,
            total: progress.total, rate: progress.rate, estimatedTimeLeft: progress.estimatedTimeLeft,
            isFinal: progress.status.isFinal, extra: progress.error.map { [("error", JSON.string($0))] } ?? [])
    }

    /// A migration's progress: RAM sent and to send, with the expected downtime and the pass.
    public init(_ progress: MigrationProgress, label: String = "migration") {
        let ram = progress.ram
        var extra: [(String, JSON)] = []
        if let value = ram?.remaining { extra.append(("remaining", .int(value))) }
        if let value = ram?.dirtyPagesRate { extra.append(("dirty-pages-rate", .int(value))) }
        if let value = progress.expectedDowntime { extra.append(("expected-downtime-ms", .int(value))) }
        if let value = ram?.dirtySyncCount { extra.append(("iteration", .int(value))) }
        if let value = progress.downtime { extra.append(("downtime-ms", .int(value))) }
        if let value = progress.error { extra.append(("error", .string(value))) }
        self.init(
            label: label, status: progress.status.rawValue, fraction: progress.fraction, done: ram?.transferred ?? 0,
            total: ram?.total ?? 0, rate: progress.rate, estimatedTimeLeft: progress.estimatedTimeLeft,
            isFinal: progress.status.isFinal, extra: extra)
    }

    public static func == (lhs: ProgressSample, rhs: ProgressSample) -> Bool {
        lhs.label == rhs.label && lhs.status == rhs.status && lhs.fraction == rhs.fraction && lhs.done == rhs.done
            && lhs.total == rhs.total && lhs.rate == rhs.rate && lhs.estimatedTimeLeft == rhs.estimatedTimeLeft
            && lhs.isFinal == rhs.isFinal && lhs.extra.map(\.0) == rhs.extra.map(\.0) && lhs.extra.map(\.1) == rhs.extra.map(\.1)
    }
}
