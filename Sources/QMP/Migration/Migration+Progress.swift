import QMPWire

/// One progress report of a migration.
public struct MigrationProgress: Sendable, Equatable {
    /// The migration's status at the time of the report (`none` before one started).
    public var status: MigrationStatus
    /// RAM figures (absent during `setup`).
    public var ram: MigrationRAMStats?
    /// Bytes per second, from QEMU's own `mbps`.
    public var rate: Double?
    /// Expected downtime in milliseconds.
    public var expectedDowntime: Int64?
    /// Milliseconds since the migration started (the whole duration once completed).
    public var totalTime: Int64?
    /// The real downtime in milliseconds, once completed.
    public var downtime: Int64?
    /// QEMU's error text, once failed.
    public var error: String?

    /// The report for a `query-migrate` answer; `rate` converts QEMU's megabits per second to bytes.
    public init(_ info: MigrationInfo) {
        status = info.status ?? .none
        ram = info.ram
        rate = info.ram?.mbps.map { $0 * 1_000_000 / 8 }
        expectedDowntime = info.expectedDowntime
        totalTime = info.totalTime
        downtime = info.downtime
        error = info.errorDesc
    }

    /// Done fraction in 0...1 of the RAM to send (it can go back when the guest dirties memory).
    public var fraction: Double? {
        if status == .completed { return 1 }
        guard let ram, ram.total > 0 else { return nil }
        return min(1, max(0, Double(ram.total - ram.remaining) / Double(ram.total)))
    }

    /// Expected time left at the current rate.
    public var estimatedTimeLeft: Duration? {
        guard let ram, let rate, rate > 0, !status.isFinal else { return nil }
        return Seconds.duration(clamping: Double(ram.remaining) / rate, allowsZero: true)
    }
}

extension Migration {
    /// Progress reports: one at once, then on every MIGRATION/MIGRATION_PASS event and at most once per `interval`
    /// in between (from `query-migrate`), ending with the final report. Drives the convergence help when
    /// ``Options/convergence`` is set. Failure is not thrown here: ``waitForCompletion(timeout:)`` does.
    public func progress(every interval: Duration = .seconds(1)) -> AsyncThrowingStream<MigrationProgress, any Error> {
        progressStream { yield in try await self.reportProgress(every: interval, yield) }
    }

    private func reportProgress(every interval: Duration, _ report: (MigrationProgress) -> Void) async throws {
        var smallestRemaining = Int64.max
        var stalled = 0
        var downtimeLimit: Int64?
        while !Task.isCancelled {
            let cursor = client.eventCursor()
            let info = try await settled(try await info())
            report(MigrationProgress(info))
            guard let status = info.status, !status.isFinal else { return }
            if let convergence = options.convergence, status == .active, let remaining = info.ram?.remaining,
                (info.ram?.dirtySyncCount ?? 0) > 1
            {
                if remaining < smallestRemaining {
                    smallestRemaining = remaining
                    stalled = 0
                } else {
                    stalled += 1
                }
                if stalled >= convergence.stalledReports {
                    stalled = 0
                    try await helpConverge(convergence, limit: &downtimeLimit)
                }
            }
            do {
                _ = try await client.waitForEvent(.names("MIGRATION", "MIGRATION_PASS"), since: .cursor(cursor), timeout: interval)
            } catch is QMPTimeoutError {}
        }
    }

    private func helpConverge(_ convergence: Convergence, limit: inout Int64?) async throws {
        if limit == nil {
            let parameters = try await client.execute("query-migrate-parameters")
            limit = parameters["downtime-limit"]?.int64Value ?? 300
        }
        guard let current = limit else { return }
        if current < convergence.maximumDowntime {
            let next = min(convergence.maximumDowntime, current * max(2, convergence.factor))
            _ = try await client.execute(MigrateSetParameters.downtimeLimit(milliseconds: next))
            limit = next
            recordAdjustment("downtime-limit \(current) ms → \(next) ms")
        } else if convergence.switchToPostcopy, !convergenceSteps.contains("postcopy") {
            _ = try await client.execute(MigrateStartPostcopy())
            recordAdjustment("postcopy")
        }
    }
}
