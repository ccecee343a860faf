import QMPWire
import Synchronization

/// A live migration started from the source's client: capabilities and parameters, `migrate`, progress, help to
/// converge, cancellation and a clean outcome.
///
/// ```swift
/// let migration = try await Migration.start(to: "unix:/run/dst.migrate", on: source)
/// for try await progress in migration.progress() { print(progress.ram?.transferred ?? 0) }
/// let info = try await migration.waitForCompletion(timeout: .seconds(120))   // throws MigrationFailedError
/// ```
/// The destination is a QEMU started with `-incoming defer`; ``prepareIncoming(on:uri:capabilities:)`` makes it
/// listen and ``waitForIncoming(on:since:timeout:)`` waits until it runs the guest.
public final class Migration: Sendable {
    /// How a migration is started and helped along.
    public struct Options: Sendable {
        /// Capabilities set before the start; `events` (MIGRATION events) is always turned on.
        public var capabilities: [String: Bool] = [:]
        /// Parameters set before the start (e.g. `max-bandwidth`, `downtime-limit`).
        public var parameters: JSONObject = [:]
        /// Raise `downtime-limit` when the remainder stops shrinking; `nil` leaves the migration alone.
        public var convergence: Convergence?

        /// The defaults: no further capabilities or parameters, no convergence help.
        public init() {}
    }

    /// Help for a migration that does not converge (the guest dirties memory faster than it is sent).
    public struct Convergence: Sendable, Hashable {
        /// Progress reports in a row without a smaller remainder before acting.
        public var stalledReports = 3
        /// Each step multiplies `downtime-limit` by this.
        public var factor: Int64 = 2
        /// The highest `downtime-limit` to set, in milliseconds.
        public var maximumDowntime: Int64 = 2000
        /// After the maximum, switch to postcopy (needs the `postcopy-ram` capability on both sides).
        public var switchToPostcopy = false

        /// The defaults: after 3 stalled reports double `downtime-limit`, up to 2000 ms; no postcopy.
        public init() {}
    }

    /// The source QEMU's connection.
    public let client: QMPClient
    /// Where the stream goes (`migrate`'s `uri`).
    public let uri: String
    /// How the migration was started and is helped along.
    public let options: Options
    /// The event position before `migrate` was sent.
    public let startCursor: EventCursor
    private let adjustments = Mutex<[String]>([])

    init(client: QMPClient, uri: String, options: Options, startCursor: EventCursor) {
        self.client = client
        self.uri = uri
        self.options = options
        self.startCursor = startCursor
    }

    /// Sets the capabilities (with `events` on) and parameters, then sends `migrate` to `uri`.
    ///
    /// - Throws: ``MigrationFailedError`` when QEMU refuses at once (e.g. a migration is already running).
    public static func start(to uri: String, on client: QMPClient, options: Options = Options()) async throws -> Migration {
        var capabilities = options.capabilities
        capabilities["events"] = true
        if options.convergence?.switchToPostcopy == true, capabilities["postcopy-ram"] == nil { capabilities["postcopy-ram"] = true }
        _ = try await client.execute(MigrateSetCapabilities(capabilities))
        if !options.parameters.isEmpty { _ = try await client.execute(MigrateSetParameters(options.parameters)) }
        let cursor = client.eventCursor()
        do {
            _ = try await client.execute(Migrate(uri: uri))
        } catch let error as QMPError {
            throw MigrationFailedError(status: .failed, message: error.message)
        }
        return Migration(client: client, uri: uri, options: options, startCursor: cursor)
    }

    /// Follows a migration started by someone else (e.g. a script's `migrate` command); MIGRATION events after
    /// `cursor` count.
    public static func attach(on client: QMPClient, since cursor: EventCursor, options: Options = Options()) -> Migration {
        Migration(client: client, uri: "", options: options, startCursor: cursor)
    }

    /// Changes made by the convergence help so far, e.g. `downtime-limit 300 ms → 600 ms`.
    public var convergenceSteps: [String] { adjustments.withLock { $0 } }

    /// `query-migrate` now.
    public func info() async throws -> MigrationInfo { try await client.execute(QueryMigrate()) }

    /// Waits for the migration to end (MIGRATION event `completed`, `failed` or `cancelled`, or the same seen by
    /// `query-migrate`) and returns the final figures.
    ///
    /// - Throws: ``MigrationFailedError`` with QEMU's `error-desc` when it failed or was cancelled.
    ///
    /// Without the `events` capability (a migration someone else started) there are no MIGRATION events; the
    /// state is then also read with `query-migrate` once a second.
    @discardableResult
    public func waitForCompletion(timeout: Duration? = nil) async throws -> MigrationInfo {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        let filter = QMPEventFilter(names: ["MIGRATION"]) { event in
            MigrationStatus(rawValue: event.data["status"]?.stringValue ?? "").isFinal
        }
        while true {
            let cursor = client.eventCursor()
            let current = try await info()
            if current.status?.isFinal == true || current.status == nil || current.status == MigrationStatus.none {
                try Self.check(current)
                return try await settled(current)
            }
            var slice = Duration.seconds(1)
            if let deadline {
                let left = deadline - clock.now
                guard left > .zero else { throw QMPTimeoutError(operation: "migration to end", timeout: timeout ?? .zero) }
                slice = min(slice, left)
            }
            do {
                _ = try await client.waitForEvent(filter, since: .cursor(max(cursor, startCursor)), timeout: slice)
            } catch is QMPTimeoutError {}
        }
    }

    /// QEMU 7.2 reports `completed` a moment before it fills in total-time and downtime (both 0 until then); there
    /// is no event for that, so a completed `info` is re-read a bounded number of times.
    func settled(_ info: MigrationInfo) async throws -> MigrationInfo {
        var current = info
        var tries = 0
        while current.status == .completed, (current.totalTime ?? 0) == 0, tries < 200 {
            tries += 1
            await Task.yield()
            current = try await self.info()
        }
        return current
    }

    static func check(_ info: MigrationInfo) throws {
        guard let status = info.status, status != .completed else { return }
        if status == .failed || status == .cancelled {
            throw MigrationFailedError(status: status, message: info.errorDesc ?? (status == .cancelled ? "cancelled" : "migration failed"))
        }
    }

    /// `migrate_cancel`, then waits for the migration to end. The source keeps running.
    public func cancel(timeout: Duration? = nil) async throws {
        _ = try await client.execute(MigrateCancel())
        do {
            try await waitForCompletion(timeout: timeout)
        } catch let error as MigrationFailedError where error.status == .cancelled {}
    }

    // MARK: - Destination

    /// On a destination QEMU started with `-incoming defer`: sets `capabilities` (with `events` on) and starts
    /// listening at `uri` with `migrate-incoming`. Returns the event position to pass to
    /// ``waitForIncoming(on:since:timeout:)``.
    @discardableResult
    public static func prepareIncoming(
        on client: QMPClient, uri: String, capabilities: [String: Bool] = [:]
    ) async throws -> EventCursor {
        var capabilities = capabilities
        capabilities["events"] = true
        _ = try await client.execute(MigrateSetCapabilities(capabilities))
        let cursor = client.eventCursor()
        _ = try await client.execute(MigrateIncoming(uri: uri))
        return cursor
    }

    /// On the destination: waits until the incoming guest runs (RESUME), or the incoming migration fails
    /// (MIGRATION `failed`: throws ``MigrationFailedError``).
    public static func waitForIncoming(on client: QMPClient, since cursor: EventCursor, timeout: Duration? = nil) async throws {
        let filter = QMPEventFilter(names: ["RESUME", "MIGRATION"]) { event in
            event.name == "RESUME" || MigrationStatus(rawValue: event.data["status"]?.stringValue ?? "").isFinal
        }
        let event = try await client.waitForEvent(filter, since: .cursor(cursor), timeout: timeout)
        if event.name == "MIGRATION", event.data["status"]?.stringValue != "completed" {
            let info = try? await client.execute(QueryMigrate())
            throw MigrationFailedError(status: .failed, message: info?.errorDesc ?? "the incoming migration failed")
        }
        if event.name == "MIGRATION" {
            _ = try await client.waitForEvent("RESUME", since: .cursor(cursor), timeout: timeout)
        }
    }

    func recordAdjustment(_ text: String) { adjustments.withLock { $0.append(text) } }
}

/// A migration that failed or was cancelled; ``message`` is QEMU's `error-desc`.
public struct MigrationFailedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `failed` or `cancelled`.
    public var status: MigrationStatus
    /// QEMU's `error-desc` (or its error for the `migrate` command), or a short text of this library when QEMU
    /// gave none.
    public var message: String

    /// A migration that ended in `status` for the reason `message`.
    public init(status: MigrationStatus, message: String) {
        self.status = status
        self.message = message
    }

    /// `MigrationCancelled: MESSAGE` or `MigrationFailed: MESSAGE`.
    public var description: String {
        status == .cancelled ? "MigrationCancelled: \(message)" : "MigrationFailed: \(message)"
    }
}
