extension Job {
    /// The job's progress as a sequence: one report at once, then one on every status change and at most one
    /// per `interval` in between (from `query-jobs`), ending with the report of the concluded job.
    ///
    /// Polling is at most once per `interval`; status changes come from events. The last report of a job that
    /// succeeded has `fraction == 1` even when QEMU's counters stopped short (or the job is already gone).
    /// The sequence does not dismiss the job or throw its failure: ``waitForConclusion(timeout:)`` does.
    public func progress(every interval: Duration = .seconds(1)) -> AsyncThrowingStream<JobProgress, any Error> {
        progressStream { yield in try await self.reportProgress(every: interval, yield) }
    }

    private func reportProgress(every interval: Duration, _ report: (JobProgress) -> Void) async throws {
        let clock = ContinuousClock()
        var previous: (time: ContinuousClock.Instant, current: Int64)?
        var last: JobProgress?
        while !Task.isCancelled {
            let cursor = client.eventCursor()
            let now = clock.now
            guard let info = try await info() else {
                // Gone (dismissed by QEMU): the last word is its completion event.
                let failure = failure(entry: nil)
                let total = last?.total ?? 0
                report(JobProgress(id: id, status: .null, current: failure == nil ? total : last?.current ?? 0, total: total, error: failure?.message))
                return
            }
            var rate: Double?
            if let previous, now > previous.time {
                let seconds = Double((now - previous.time).components.seconds) + Double((now - previous.time).components.attoseconds) / 1e18
                rate = Double(info.currentProgress - previous.current) / seconds
            }
            previous = (now, info.currentProgress)
            var progress = JobProgress(id: id, status: info.status, current: info.currentProgress, total: info.totalProgress, rate: rate, error: info.error)
            if info.status.isFinal, info.error == nil { progress.current = max(progress.current, progress.total) }
            report(progress)
            last = progress
            if info.status.isFinal { return }
            let id = self.id
            do {
                _ = try await client.waitForEvent(
                    QMPEventFilter(names: ["JOB_STATUS_CHANGE"]) { Job.isStatusChange($0, of: id) },
                    since: .cursor(cursor), timeout: interval)
            } catch is QMPTimeoutError {}
        }
    }
}
