import QMP
import QMPWire

// Running `job-wait` and `migrate-wait` (issue 17).
extension ScriptRunner {
    /// Runs a `job-wait` or `migrate-wait`; its result (the job's last `query-jobs` entry, or `query-migrate`)
    /// becomes `$_`, so `expect` can look at the progress figures.
    func runLongOperation(_ kind: ScriptStatement.Kind, state: inout RunState) async throws -> StatementOutcome {
        guard let client = session.client else {
            return .failed(ScriptFailure(errorClass: "UsageError", message: "\(session.label) is not a QMP monitor"))
        }
        do {
            switch kind {
            case .jobWait(let id, let status, let timeout):
                let value = try await Self.waitForJob(id, status: status, on: client, since: state.waitCursor, timeout: timeout ?? options.timeout)
                state.last = value
                return .passed(value)
            case .migrateWait(let timeout):
                let migration = Migration.attach(on: client, since: state.waitCursor)
                let info = try await migration.waitForCompletion(timeout: timeout ?? options.timeout)
                let value = try JSONValueEncoder().encode(info)
                state.last = value
                return .passed(value)
            default:
                return .failed(ScriptFailure(errorClass: "UsageError", message: "not a job statement"))
            }
        } catch let error as JobFailedError {
            return .failed(ScriptFailure(errorClass: error.cancelled ? "JobCancelled" : "JobFailed", message: error.message))
        } catch let error as JobIOError {
            return .failed(ScriptFailure(errorClass: "JobIOError", message: error.description))
        } catch let error as JobStateError {
            return .failed(ScriptFailure(errorClass: "JobState", message: error.description))
        } catch let error as MigrationFailedError {
            return .failed(ScriptFailure(errorClass: error.status == .cancelled ? "MigrationCancelled" : "MigrationFailed", message: error.message))
        }
    }

    /// Waits for job `id` to reach `status` (concluded: its end, which then must be a success, and is dismissed).
    static func waitForJob(
        _ id: String, status: JobStatus, on client: QMPClient, since cursor: EventCursor, timeout: Duration
    ) async throws -> JSON {
        let job = Job.attach(id: id, on: client, since: cursor)
        let current = try await job.info()
        if status == .concluded || status == .null {
            guard current != nil || job.lastReportedStatus != nil else {
                throw JobFailedError(id: id, message: "no such job (never started, or already finished and dismissed before this wait)")
            }
            let final = try await job.waitForConclusion(timeout: timeout)
            return try final.map { try JSONValueEncoder().encode($0) } ?? ["id": .string(id), "status": "null"]
        }
        if let current, current.status == status { return try JSONValueEncoder().encode(current) }
        try await job.wait(until: [status], timeout: timeout)
        let now = try await job.info()
        return try now.map { try JSONValueEncoder().encode($0) } ?? ["id": .string(id), "status": .string(status.rawValue)]
    }
}
