/// A migration's state (`MigrationStatus`).
public struct MigrationStatus: QMPEnum {
    /// The wire value; values a newer QEMU adds are kept as they are.
    public var rawValue: String
    /// The status `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// No migration has run on this QEMU.
    public static let none: MigrationStatus = "none"
    /// Starting: connecting and preparing the stream.
    public static let setup: MigrationStatus = "setup"
    /// `migrate_cancel` was sent; the migration is winding down.
    public static let cancelling: MigrationStatus = "cancelling"
    /// Cancelled; the source runs on.
    public static let cancelled: MigrationStatus = "cancelled"
    /// Sending memory while the guest runs on the source (precopy).
    public static let active: MigrationStatus = "active"
    /// The guest runs on the destination, which fetches the remaining pages on demand.
    public static let postcopyActive: MigrationStatus = "postcopy-active"
    /// The postcopy connection broke; the guest waits until it is recovered.
    public static let postcopyPaused: MigrationStatus = "postcopy-paused"
    /// A paused postcopy migration is being resumed.
    public static let postcopyRecover: MigrationStatus = "postcopy-recover"
    /// Done: the guest runs on the destination, the source is `postmigrate`.
    public static let completed: MigrationStatus = "completed"
    /// Failed; `error-desc` says why, and the source runs on.
    public static let failed: MigrationStatus = "failed"
    /// Running in COLO (coarse-grained lock-stepping) fault-tolerance mode.
    public static let colo: MigrationStatus = "colo"
    /// Paused before the switch-over (`pause-before-switchover`), waiting for `migrate-continue`.
    public static let preSwitchover: MigrationStatus = "pre-switchover"
    /// Sending device state after memory, with the guest stopped (`pause-before-switchover`).
    public static let device: MigrationStatus = "device"
    /// Waiting for the guest to unplug failover devices before memory is sent.
    public static let waitUnplug: MigrationStatus = "wait-unplug"

    /// True for `completed`, `failed` and `cancelled`: nothing more will happen.
    public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
}

/// RAM transfer figures of a migration (`MigrationStats`); byte counts unless said otherwise.
public struct MigrationRAMStats: Codable, Sendable, Hashable {
    /// Bytes sent so far.
    public var transferred: Int64
    /// Bytes still to send (dirty memory included).
    public var remaining: Int64
    /// The guest's memory size in bytes.
    public var total: Int64
    /// Pages dirtied per second by the guest.
    public var dirtyPagesRate: Int64?
    /// Throughput in megabits per second.
    public var mbps: Double?
    /// How many times the dirty bitmap was synced (the pass, or iteration).
    public var dirtySyncCount: Int64?
    /// The page size in bytes (for `dirtyPagesRate`).
    public var pageSize: Int64?

    /// Figures with the three byte counts; the optional ones stay nil.
    public init(transferred: Int64, remaining: Int64, total: Int64) {
        self.transferred = transferred
        self.remaining = remaining
        self.total = total
    }

    enum CodingKeys: String, CodingKey {
        case transferred, remaining, total, mbps
        case dirtyPagesRate = "dirty-pages-rate"
        case dirtySyncCount = "dirty-sync-count"
        case pageSize = "page-size"
    }
}

/// What `query-migrate` answers.
public struct MigrationInfo: Codable, Sendable, Hashable {
    /// `nil` before any migration was started.
    public var status: MigrationStatus?
    /// Memory transfer figures; nil before memory is sent.
    public var ram: MigrationRAMStats?
    /// Milliseconds since the start (or in total, once completed).
    public var totalTime: Int64?
    /// The real downtime in milliseconds, once completed.
    public var downtime: Int64?
    /// The expected downtime in milliseconds while active.
    public var expectedDowntime: Int64?
    /// Milliseconds spent in `setup`.
    public var setupTime: Int64?
    /// Why the migration failed.
    public var errorDesc: String?

    /// An answer with only a status (the others nil).
    public init(status: MigrationStatus? = nil) { self.status = status }

    enum CodingKeys: String, CodingKey {
        case status, ram, downtime
        case totalTime = "total-time"
        case expectedDowntime = "expected-downtime"
        case setupTime = "setup-time"
        case errorDesc = "error-desc"
    }
}
