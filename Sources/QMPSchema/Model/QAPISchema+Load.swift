public import QMP
import Synchronization

extension QAPISchema {
    /// The schema of the QEMU `client` talks to, fetched with `query-qmp-schema` on first use and then cached for
    /// as long as the client lives (concurrent first calls share one fetch; a failed fetch is not cached).
    ///
    /// - Throws: what `execute` throws (`QMPConnectionError`, `QMPTimeoutError`, `QMPError`).
    public static func load(from client: QMPClient, timeout: Duration? = nil) async throws -> QAPISchema {
        try await SchemaCache.shared.schema(for: client, timeout: timeout)
    }

    /// Fetches and decodes the schema, without the cache.
    public static func fetch(from client: QMPClient, timeout: Duration? = nil) async throws -> QAPISchema {
        // Untyped on purpose: decoding ~1,000 entities through Codable would cost more than building the model.
        let reply = try await client.execute(QueryQMPSchema.name, timeout: timeout)
        guard let entities = reply.arrayValue else {
            throw SchemaDecodingError("the reply to \(QueryQMPSchema.name) is not an array of entities")
        }
        return QAPISchema(entities: entities)
    }
}

/// Schemas by client, for ``QAPISchema/load(from:timeout:)``. Entries of clients that are gone or closed are
/// dropped on the next lookup.
final class SchemaCache: Sendable {
    static let shared = SchemaCache()

    private struct Entry {
        weak var client: QMPClient?
        let fetch: Task<QAPISchema, any Error>
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    func schema(for client: QMPClient, timeout: Duration?) async throws -> QAPISchema {
        let key = ObjectIdentifier(client)
        let fetch = entries.withLock { entries -> Task<QAPISchema, any Error> in
            entries = entries.filter { $0.value.client.map { !$0.isClosed } ?? false }
            if let entry = entries[key], entry.client === client { return entry.fetch }
            let fetch = Task { try await QAPISchema.fetch(from: client, timeout: timeout) }
            entries[key] = Entry(client: client, fetch: fetch)
            return fetch
        }
        do {
            return try await fetch.value
        } catch {
            entries.withLock { entries in
                if let entry = entries[key], entry.client === client { entries[key] = nil }
            }
            throw error
        }
    }
}
