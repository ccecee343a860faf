import Dispatch
import QMPWire
import Synchronization

/// Formats a script run's reports and hands the text to `write` on a thread of its own, so the run's round trips
/// never wait for output.
///
/// ``ScriptRunner`` calls its report closure between one command's reply and the next command; formatting a line
/// there (redacting the statement, serializing the return) put ~11 µs of CPU on every round trip of `qmpsh run`
/// (perf, 2 000 `query-status` lines). ``report(_:)`` only queues the report; the writer thread formats queued reports
/// in batches (when 64 are waiting, or every 50 ms) and passes standard output text and standard error text to
/// `write` in the order the reports came, standard output first within a report. ``finish(_:)`` adds the summary line
/// and returns once everything is written.
///
/// `write` runs on the writer thread, never under the writer's lock.
public final class ScriptReportWriter: Sendable {
    /// Writes formatted text: `out` for standard output, `err` for standard error (either may be `nil`).
    public typealias Sink = @Sendable (_ out: String?, _ err: String?) -> Void

    private struct State {
        var queue: [ScriptReport] = []
        var summary: ScriptSummary?
    }

    private let formatter: ScriptOutputFormatter
    private let file: String
    private let write: Sink
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    /// Reports queued before the writer thread is woken (it also wakes every ``interval`` on its own).
    static let batch = 64
    /// How long output may wait at most while reports keep coming slowly.
    static let interval = DispatchTimeInterval.milliseconds(50)

    /// A writer for the reports of a run of the script `file`, formatted by `formatter`; starts its thread.
    public init(formatter: ScriptOutputFormatter, file: String, write: @escaping Sink) {
        self.formatter = formatter
        self.file = file
        self.write = write
        startDetachedThread { [self] in loop() }
    }

    /// Queues `report` for formatting and writing; cheap enough to call between round trips.
    public func report(_ report: ScriptReport) {
        let count = state.withLock { state -> Int in
            state.queue.append(report)
            return state.queue.count
        }
        if count == Self.batch { wake.signal() }
    }

    /// Queues the closing line for `summary`, and returns once every queued report and the summary are written.
    /// Call it once; the writer thread ends.
    public func finish(_ summary: ScriptSummary) {
        state.withLock { $0.summary = summary }
        wake.signal()
        done.wait()
    }

    private func loop() {
        var memo = ScriptOutputFormatter.Memo()
        // Two queues swapped under the lock: the runner appends to one while this thread formats the other, and
        // neither is copied or reallocated once it has grown to a batch.
        var reports: [ScriptReport] = []
        reports.reserveCapacity(Self.batch)
        state.withLock { $0.queue.reserveCapacity(Self.batch) }
        while true {
            _ = wake.wait(timeout: .now() + Self.interval)
            reports.removeAll(keepingCapacity: true)
            let summary = state.withLock { state in
                swap(&state.queue, &reports)
                return state.summary
            }
            var out = ""
            for report in reports {
                let (line, error) = formatter.format(report, file: file, memo: &memo)
                if let line { out += line }
                if let error {
                    write(out.isEmpty ? nil : out, error)
                    out = ""
                }
            }
            if let summary { out += formatter.format(summary) }
            if !out.isEmpty { write(out, nil) }
            if summary != nil {
                done.signal()
                return
            }
        }
    }
}
