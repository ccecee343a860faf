import QMPWire
import Synchronization

/// A QEMU job followed from its start: status, progress, the actions QEMU allows on it, and its outcome.
///
/// "The command returned" only means the job was created. ``start(_:on:options:timeout:)`` notes the event position
/// before sending the command, so no JOB_STATUS_CHANGE is missed however fast the job runs;
/// ``waitForConclusion(timeout:)`` then waits for the real end, throws ``JobFailedError`` with QEMU's error text
/// when the job failed, and dismisses the concluded job unless ``Options/keepConcluded`` is set.
///
/// ```swift
/// let job = try await Job.start(
///     BlockdevBackup(jobID: "bk0", device: "disk0", target: "backup0"), on: client)
/// for try await progress in job.progress() { print(progress.fraction ?? 0) }
/// try await job.waitForConclusion(timeout: .seconds(600))
/// ```
///
/// Block jobs are started with `auto-dismiss: false` (so that a failure's text can still be read from
/// `query-jobs`) and dismissed here. Each action (``complete(timeout:)``, ``cancel(timeout:)``, ``pause()``,
/// ``resume()``, ``finalize()``, ``dismiss()``) is checked against the job's current status first and refused with
/// ``JobStateError`` where QEMU would refuse it.
public final class Job: Sendable {
    /// How a job is started and ended.
    public struct Options: Sendable {
        /// `auto-finalize`: when false the job waits in `pending` for ``Job/finalize()``.
        public var autoFinalize = true
        /// `auto-dismiss`: when true QEMU removes the job itself; its error text then comes from the
        /// BLOCK_JOB_COMPLETED event only.
        public var autoDismiss = false
        /// Leave the concluded job in `query-jobs` instead of dismissing it.
        public var keepConcluded = false

        /// The defaults: QEMU finalizes the job itself, and ``Job`` dismisses it once it has read the outcome.
        public init() {}
    }

    /// The job's id.
    public let id: String
    /// The job's type, when known from the command that started it.
    public let type: JobType?
    /// The connection the job's commands and events go through.
    public let client: QMPClient
    /// How the job was started and how it ends.
    public let options: Options
    /// The event position just before the job was started (or attached to).
    public let startCursor: EventCursor
    /// Where BLOCK_JOB_ERROR events start to count: moved on by ``resume()``.
    private let errorCursor: Mutex<EventCursor>

    init(id: String, type: JobType?, client: QMPClient, options: Options, startCursor: EventCursor) {
        self.id = id
        self.type = type
        self.client = client
        self.options = options
        self.startCursor = startCursor
        self.errorCursor = Mutex(startCursor)
    }

    /// Sends `command` and returns the job it created. Its events are followed from before the send.
    public static func start<Command: JobCommand>(
        _ command: Command, on client: QMPClient, options: Options = Options(), timeout: Duration? = nil
    ) async throws -> Job {
        let command = command.applyingAutoOptions(
            autoFinalize: options.autoFinalize ? nil : false, autoDismiss: options.autoDismiss)
        let cursor = client.eventCursor()
        _ = try await client.execute(command, timeout: timeout)
        return Job(id: command.jobID, type: Self.jobType(of: Command.name), client: client, options: options, startCursor: cursor)
    }

    /// Follows a job that already exists (e.g. one started by someone else). Its earlier status changes are
    /// only seen if they are still in the client's event history after `cursor`.
    public static func attach(
        id: String, on client: QMPClient, since cursor: EventCursor? = nil, options: Options = Options()
    ) -> Job {
        Job(id: id, type: nil, client: client, options: options, startCursor: cursor ?? client.eventCursor())
    }

    static func jobType(of command: String) -> JobType? {
        switch command {
        case BlockdevBackup.name, DriveBackup.name: return .backup
        case BlockdevMirror.name, "drive-mirror": return .mirror
        case BlockStream.name: return .stream
        case BlockCommit.name: return .commit
        case BlockdevCreate.name: return .create
        case SnapshotSave.name: return .snapshotSave
        case SnapshotLoad.name: return .snapshotLoad
        case SnapshotDelete.name: return .snapshotDelete
        default: return nil
        }
    }

    // MARK: - State

    /// The job as `query-jobs` lists it now; `nil` once it is gone.
    public func info(timeout: Duration? = nil) async throws -> JobInfo? {
        try await client.execute(QueryJobs(), timeout: timeout).first { $0.id == id }
    }

    /// The latest status seen in a JOB_STATUS_CHANGE event since the start; `nil` if none arrived yet.
    public var lastReportedStatus: JobStatus? {
        client.recentEvents(after: startCursor).last { Self.isStatusChange($0, of: id) }
            .flatMap { $0.data["status"]?.stringValue }.map(JobStatus.init(rawValue:))
    }

    static func isStatusChange(_ event: QMPEvent, of id: String) -> Bool {
        event.name == "JOB_STATUS_CHANGE" && event.data["id"]?.stringValue == id
    }

    /// Waits until the job reaches one of `statuses` (events since the start count, so a status the job passed
    /// before this call is found too).
    ///
    /// - Throws: ``JobFailedError`` when the job concludes with an error first (or ends without reaching one of
    ///   `statuses`), ``JobIOError`` when it stops on an I/O error, `QMPTimeoutError` after `timeout`.
    @discardableResult
    public func wait(until statuses: Set<JobStatus>, timeout: Duration? = nil) async throws -> JobStatus {
        let id = self.id
        let errorsFrom = errorCursor.withLock { $0 }
        let filter = QMPEventFilter(names: ["JOB_STATUS_CHANGE", "BLOCK_JOB_ERROR"]) { event in
            if event.name == "BLOCK_JOB_ERROR" {
                return event.sequence > errorsFrom.sequence && event.data["device"]?.stringValue == id
                    && event.data["action"]?.stringValue == "stop"
            }
            guard Self.isStatusChange(event, of: id), let status = event.data["status"]?.stringValue else { return false }
            return statuses.contains(JobStatus(rawValue: status)) || JobStatus(rawValue: status).isFinal
        }
        let event = try await client.waitForEvent(filter, since: .cursor(startCursor), timeout: timeout)
        if event.name == "BLOCK_JOB_ERROR" {
            // The event does not say why; the block job's io-status does (`nospace` for ENOSPC).
            let blockJobs = try? await client.execute("query-block-jobs")
            let ioStatus = blockJobs?.arrayValue?.first { $0["device"]?.stringValue == id }?["io-status"]?.stringValue
            throw JobIOError(
                id: id, operation: event.data["operation"]?.stringValue ?? "I/O",
                action: event.data["action"]?.stringValue ?? "stop", noSpace: ioStatus == "nospace")
        }
        let status = JobStatus(rawValue: event.data["status"]?.stringValue ?? "")
        if statuses.contains(status) || (status.isFinal && (statuses.contains(.concluded) || statuses.contains(.null))) {
            return status
        }
        // It ended without reaching one of `statuses`: dismiss it, and report how it ended.
        try await concludeAndDismiss()
        throw JobFailedError(
            id: id, type: type,
            message: "it concluded without reaching \(statuses.map(\.rawValue).sorted().joined(separator: "/"))")
    }

    /// Waits for the job to conclude, dismisses it (unless ``Options/keepConcluded``) and returns its last
    /// `query-jobs` entry (`nil` when QEMU had already dismissed it).
    ///
    /// - Throws: ``JobFailedError`` with QEMU's error text when the job failed or was cancelled (it is dismissed
    ///   all the same), ``JobIOError`` when it stopped on an I/O error and waits to be resumed or cancelled.
    @discardableResult
    public func waitForConclusion(timeout: Duration? = nil) async throws -> JobInfo? {
        try await wait(until: [.concluded, .null], timeout: timeout)
        return try await concludeAndDismiss()
    }

    /// The final entry, then dismissal; throws the job's failure after dismissing.
    @discardableResult
    private func concludeAndDismiss() async throws -> JobInfo? {
        let final = try await info()
        let failure = failure(entry: final)
        if let final, final.status == .concluded, !options.keepConcluded {
            _ = try await client.execute(JobDismiss(id: id))
        }
        if let failure { throw failure }
        return final
    }

    /// How the job failed, if it concluded with an error: from `query-jobs` while it is listed, else from its
    /// BLOCK_JOB_COMPLETED/BLOCK_JOB_CANCELLED event.
    func failure(entry: JobInfo?) -> JobFailedError? {
        let events = client.recentEvents(after: startCursor).filter { $0.data["device"]?.stringValue == id }
        let cancelled = events.contains { $0.name == "BLOCK_JOB_CANCELLED" }
        if let entry, entry.status == .concluded {
            guard let message = entry.error else { return nil }
            return JobFailedError(id: id, type: type ?? entry.type, message: message, cancelled: cancelled || message == "Operation canceled")
        }
        if cancelled { return JobFailedError(id: id, type: type, message: "cancelled", cancelled: true) }
        if let completed = events.last(where: { $0.name == "BLOCK_JOB_COMPLETED" }), let message = completed.data["error"]?.stringValue {
            return JobFailedError(id: id, type: type, message: message)
        }
        return nil
    }

    // MARK: - Actions

    /// `job-complete`: a job waiting in `ready` finishes; a mirror switches the guest over to its target. Then
    /// waits for the conclusion like ``waitForConclusion(timeout:)``.
    @discardableResult
    public func complete(timeout: Duration? = nil) async throws -> JobInfo? {
        try await perform(JobComplete(id: id))
        return try await waitForConclusion(timeout: timeout)
    }

    /// `job-cancel`, then waits for the job to conclude and dismisses it. Returns normally when the job ended
    /// cancelled (or had already finished on its own in between); a different failure is thrown.
    ///
    /// A mirror in `ready` that is cancelled does not switch over: the guest stays on the source disk.
    @discardableResult
    public func cancel(timeout: Duration? = nil) async throws -> JobInfo? {
        let cursor = client.eventCursor()
        try await perform(JobCancel(id: id))
        errorCursor.withLock { $0 = cursor }
        do {
            return try await waitForConclusion(timeout: timeout)
        } catch let error as JobFailedError where error.cancelled {
            return nil
        }
    }

    /// `job-pause`.
    public func pause() async throws { try await perform(JobPause(id: id)) }

    /// `job-resume`; an I/O error stop before this point no longer counts for later waits.
    public func resume() async throws {
        let cursor = client.eventCursor()
        try await perform(JobResume(id: id))
        errorCursor.withLock { $0 = cursor }
    }

    /// `job-finalize` for a job started with ``Options/autoFinalize`` false, once it is `pending`.
    public func finalize() async throws { try await perform(JobFinalize(id: id)) }

    /// `job-dismiss` for a concluded job kept with ``Options/keepConcluded``.
    public func dismiss() async throws { try await perform(JobDismiss(id: id)) }

    /// Checks the verb against the current status, sends it, and explains a refusal caused by a status change
    /// in between (a job can conclude between the check and the command).
    func perform<Command: JobVerbCommand>(_ command: Command) async throws {
        let verb = Command.verb
        let before = try await info()
        guard let before, verb.allowedStatuses.contains(before.status) else {
            throw JobStateError(id: id, verb: verb, status: before?.status)
        }
        do {
            _ = try await client.execute(command)
        } catch let error as QMPError {
            let now = try await info()
            if let now, verb.allowedStatuses.contains(now.status) { throw error }
            throw JobStateError(id: id, verb: verb, status: now?.status)
        }
    }
}
