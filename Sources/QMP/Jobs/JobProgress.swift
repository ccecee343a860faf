import QMPWire

/// A snapshot of a job's progress, as ``Job/progress(every:)`` reports it.
public struct JobProgress: Sendable, Equatable {
    /// The id of the job reported on (its `job-id`).
    public var id: String
    /// The job's status at the time of the report.
    public var status: JobStatus
    /// Work done (bytes for block jobs).
    public var current: Int64
    /// Work expected in total; 0 while unknown (right after the start).
    public var total: Int64
    /// Work per second since the previous report; `nil` for the first one.
    public var rate: Double?
    /// The job's error text once it concluded with one.
    public var error: String?

    /// A report with these figures; `rate` is work per second.
    public init(id: String, status: JobStatus, current: Int64, total: Int64, rate: Double? = nil, error: String? = nil) {
        self.id = id
        self.status = status
        self.current = current
        self.total = total
        self.rate = rate
        self.error = error
    }

    /// Done fraction in 0...1; `nil` while the total is unknown.
    public var fraction: Double? {
        guard total > 0 else { return status.isFinal && error == nil ? 1 : nil }
        return min(1, Double(current) / Double(total))
    }

    /// Expected time left at the current rate; `nil` when unknown.
    public var estimatedTimeLeft: Duration? {
        guard let rate, rate > 0, total > 0, current <= total, !status.isFinal else { return nil }
        return Seconds.duration(clamping: Double(total - current) / rate, allowsZero: true)
    }
}
