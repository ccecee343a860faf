/// A migration's state (`MigrationStatus`).
public struct MigrationStatus: QMPEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let none: MigrationStatus = "none"
    public static let setup: MigrationStatus = "setup"
    public static let cancelling: MigrationStatus = "cancelling"
    public static let cancelled: MigrationStatus = "cancelled"
    public static let active: MigrationStatus = "active"
    public static let postcopyActive: MigrationStatus = "postcopy-active"
    public static let postcopyPaused: MigrationStatus = "postcopy-paused"
    public static let postcopyRecover: MigrationStatus = "postcopy-recover"
    public static let completed: MigrationStatus = "completed"
    public static let failed: MigrationStatus = "failed"
    public static let colo: MigrationStatus = "colo"
    public static let preSwitchover: MigrationStatus = "pre-switchover"
    public static let device: MigrationStatus = "device"
    public static let waitUnplug: MigrationStatus = "wait-unplug"

    /// True for `completed`, `failed` and `cancelled`: nothing more will happen.
    public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
}

/// RAM transfer figures of a migration (`MigrationStats`); byte counts unless said otherwise.
public struct MigrationRAMStats: Codable, Sendable, Hashable {
    public var transferred: Int64
    public var remaining: Int64
    public var total: Int64
    /// Pages dirtied per second by the guest.
    public var dirtyPagesRate: Int64?
    /// Throughput in megabits per second.
    public var mbps: Double?
    /// How many times the dirty bitmap was synced (the pass, or iteration).
    public var dirtySyncCount: Int64?
    public var pageSize: Int64?

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
    public var ram: MigrationRAMStats?
    /// Milliseconds since the start (or in total, once completed).
    public var totalTime: Int64?
    /// The real downtime in milliseconds, once completed.
    public var downtime: Int64?
    /// The expected downtime in milliseconds while active.
    public var expectedDowntime: Int64?
    public var setupTime: Int64?
    /// Why the migration failed.
    public var errorDesc: String?

    public init(status: MigrationStatus? = nil) { self.status = status }

    enum CodingKeys: String, CodingKey {
        case status, ram, downtime
        case totalTime = "total-time"
        case expectedDowntime = "expected-downtime"
        case setupTime = "setup-time"
        case errorDesc = "error-desc"
    }
}
