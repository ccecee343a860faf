/// `query-migrate`: the state and figures of the current (or last) migration.
public struct QueryMigrate: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "query-migrate"
    /// The reply: the migration's state and figures.
    public typealias Response = MigrationInfo
    /// The command; it takes no arguments.
    public init() {}
}

/// `migrate-set-capabilities`: turn migration capabilities on or off (`events`, `postcopy-ram`, ...), on both
/// sides as needed, before the migration starts.
public struct MigrateSetCapabilities: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "migrate-set-capabilities"
    /// The reply: `{}`.
    public typealias Response = QMPEmpty

    /// Capability name → state, sent in name order.
    public var capabilities: [String: Bool]

    /// Sets each named capability to its state, e.g. `["events": true, "postcopy-ram": true]`.
    public init(_ capabilities: [String: Bool]) { self.capabilities = capabilities }

    public func encode(to encoder: any Encoder) throws {
        let list = capabilities.sorted { $0.key < $1.key }.map { JSON.object(["capability": .string($0.key), "state": .bool($0.value)]) }
        try JSON.object(["capabilities": .array(list)]).encode(to: encoder)
    }
}

/// `migrate-set-parameters`: e.g. `downtime-limit` (ms), `max-bandwidth` (bytes/s), `multifd-channels`.
public struct MigrateSetParameters: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "migrate-set-parameters"
    /// The reply: `{}`.
    public typealias Response = QMPEmpty

    /// The parameters to set, by wire name, sent as the command's arguments.
    public var parameters: JSONObject

    /// Sets these parameters, e.g. `["max-bandwidth": .int(1 << 30)]` (bytes per second).
    public init(_ parameters: JSONObject) { self.parameters = parameters }

    /// Only `downtime-limit`, in milliseconds.
    public static func downtimeLimit(milliseconds: Int64) -> MigrateSetParameters { MigrateSetParameters(["downtime-limit": .int(milliseconds)]) }

    public func encode(to encoder: any Encoder) throws { try JSON.object(parameters).encode(to: encoder) }
}

/// `migrate`: start migrating to `uri` (`unix:PATH`, `tcp:127.0.0.1:PORT`, `fd:NAME`, `exec:...`). Returns `{}`
/// at once; the migration runs on (see ``Migration``).
public struct Migrate: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "migrate"
    /// The reply: `{}`, at once.
    public typealias Response = QMPEmpty

    /// Where the stream goes, e.g. `unix:/run/mig.sock` or `tcp:127.0.0.1:4444`.
    public var uri: String

    /// A migration to `uri`.
    public init(uri: String) { self.uri = uri }
}

/// `migrate-incoming`: on a QEMU started with `-incoming defer`, start listening (or reading) at `uri`.
public struct MigrateIncoming: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "migrate-incoming"
    /// The reply: `{}`, once QEMU listens.
    public typealias Response = QMPEmpty

    /// Where to take the stream from, e.g. `unix:/run/mig.sock` or `tcp:127.0.0.1:4444`.
    public var uri: String

    /// Listen (or read) at `uri`.
    public init(uri: String) { self.uri = uri }
}

/// `migrate_cancel`: stop the running migration; the source keeps running.
public struct MigrateCancel: QMPCommand, Hashable {
    /// The wire name (with an underscore: QEMU never renamed it).
    public static let name = "migrate_cancel"
    /// The reply: `{}`; the migration ends `cancelled` shortly after.
    public typealias Response = QMPEmpty
    /// The command; it takes no arguments.
    public init() {}
}

/// `migrate-start-postcopy`: switch a running migration (with `postcopy-ram` on) to postcopy: the destination
/// runs at once and fetches the remaining pages on demand.
public struct MigrateStartPostcopy: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "migrate-start-postcopy"
    /// The reply: `{}`.
    public typealias Response = QMPEmpty
    /// The command; it takes no arguments.
    public init() {}
}
