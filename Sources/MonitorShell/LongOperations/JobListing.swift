public import QMP

/// `qmpsh jobs` and the shell's `.jobs`: one line per job with its progress.
public enum JobListing {
    /// `ID  TYPE  STATUS  [bar] 47% ...` lines, or `no jobs`.
    public static func lines(_ jobs: [JobInfo]) -> [String] {
        guard !jobs.isEmpty else { return ["no jobs"] }
        let idWidth = max(2, jobs.map(\.id.count).max() ?? 0)
        let typeWidth = max(4, jobs.map(\.type.rawValue.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines = [pad("ID", idWidth) + "  " + pad("TYPE", typeWidth) + "  " + pad("STATUS", 9) + "  PROGRESS"]
        for job in jobs {
            let progress = JobProgress(
                id: job.id, status: job.status, current: job.currentProgress, total: job.totalProgress, error: job.error)
            var sample = ProgressSample(progress)
            sample.isFinal = false
            let figures = ProgressRenderer.figures(sample) + (job.error.map { "  error: \($0)" } ?? "")
            lines.append(pad(job.id, idWidth) + "  " + pad(job.type.rawValue, typeWidth) + "  " + pad(job.status.rawValue, 9) + "  " + figures)
        }
        return lines
    }
}
