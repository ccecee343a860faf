/// `query-migrate`: the state and figures of the current (or last) migration.
public struct QueryMigrate: QMPCommand, Hashable {
    public static let name = "query-migrate"
    public typealias Response = MigrationInfo
    public init() {}
}

/// `migrate-set-capabilities`: turn migration capabilities on or off (`events`, `postcopy-ram`, ...), on both
/// sides as needed, before the migration starts.
public struct MigrateSetCapabilities: QMPCommand, Hashable {
    public static let name = "migrate-set-capabilities"
    public typealias Response = QMPEmpty

    /// Capability name → state, sent in name order.
    public var capabilities: [String: Bool]

    public init(_ capabilities: [String: Bool]) { self.capabilities = capabilities }

    public func encode(to encoder: any Encoder) throws {
        let list = capabilities.sorted { $0.key < $1.key }.map { JSON.object(["capability": .string($0.key), "state": .bool($0.value)]) }
        try JSON.object(["capabilities": .array(list)]).encode(to: encoder)
    }
}

/// `migrate-set-parameters`: e.g. `downtime-limit` (ms), `max-bandwidth` (bytes/s), `multifd-channels`.
public struct MigrateSetParameters: QMPCommand, Hashable {
    public static let name = "migrate-set-parameters"
    public typealias Response = QMPEmpty

    public var parameters: JSONObject

    public init(_ parameters: JSONObject) { self.parameters = parameters }

    /// Only `downtime-limit`, in milliseconds.
    public static func downtimeLimit(milliseconds: Int64) -> MigrateSetParameters { MigrateSetParameters(["downtime-limit": .int(milliseconds)]) }

    public func encode(to encoder: any Encoder) throws { try JSON.object(parameters).encode(to: encoder) }
}

/// `migrate`: start migrating to `uri` (`unix:PATH`, `tcp:127.0.0.1:PORT`, `fd:NAME`, `exec:...`). Returns `{}`
/// at once; the migration runs on (see ``Migration``).
public struct Migrate: QMPCommand, Hashable {
    public static let name = "migrate"
    public typealias Response = QMPEmpty

    public var uri: String

    public init(uri: String) { self.uri = uri }
}

/// `migrate-incoming`: on a QEMU started with `-incoming defer`, start listening (or reading) at `uri`.
public struct MigrateIncoming: QMPCommand, Hashable {
    public static let name = "migrate-incoming"
    public typealias Response = QMPEmpty

    public var uri: String

    public init(uri: String) { self.uri = uri }
}

/// `migrate_cancel`: stop the running migration; the source keeps running.
public struct MigrateCancel: QMPCommand, Hashable {
    public static let name = "migrate_cancel"
    public typealias Response = QMPEmpty
    public init() {}
}

/// `migrate-start-postcopy`: switch a running migration (with `postcopy-ram` on) to postcopy: the destination
/// runs at once and fetches the remaining pages on demand.
public struct MigrateStartPostcopy: QMPCommand, Hashable {
    public static let name = "migrate-start-postcopy"
    public typealias Response = QMPEmpty
    public init() {}
}
