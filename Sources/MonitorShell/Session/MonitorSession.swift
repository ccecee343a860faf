#if canImport(Glibc)
import Glibc
#endif
public import HMP
public import QMP
import QEMURunner
public import QMPSchema
public import GuestAgent
import QMPWire
import Synchronization

/// One monitor that the shell or a script talks to: a QMP connection (which also runs HMP through
/// `human-monitor-command`), or a direct human monitor (`hmp:/path.sock`).
///
/// The session owns its connection: ``close()`` ends it. The schema and the live values used for validation and
/// completion are fetched once, on first use, and only for QMP monitors.
public final class MonitorSession: Sendable {
    /// The monitor as the user named it (`/tmp/qmp.sock`, `hmp:/tmp/h.sock`, `libvirt:web1`).
    public let label: String
    /// The QMP client; `nil` for a direct human monitor.
    public let client: QMPClient?
    /// HMP for this monitor: through QMP, or the direct socket.
    public let humanMonitor: any HumanMonitor
    /// Live values for validation and completion (QMP monitors only).
    public let live: LiveValues?
    /// Where schemas are kept between runs (`SchemaDiskCache`); `nil` fetches from QEMU every time.
    public let schemaDiskCache: SchemaDiskCache?
    /// A guest agent (`qga:PATH`, `libvirt+qga:DOMAIN`) instead of a monitor; `nil` for monitors (issue 16).
    public let agent: (any GuestAgentConnection)?
    private let schemaState = Mutex<SchemaState>(SchemaState())

    private struct SchemaState {
        var schema: QAPISchema?
        var fromDisk = false
        /// Why the monitor gave no schema, once it refused: it is not asked again.
        var unavailable: String?
        /// The fetch under way, which every caller waits for (one `query-qmp-schema` at a time).
        var fetching: Task<QAPISchema?, any Error>?
    }

    /// A session on a QMP connection. With `schemaDiskCache`, ``schema(timeout:)`` may answer from a schema this
    /// QEMU build gave before.
    public init(label: String, client: QMPClient, schemaDiskCache: SchemaDiskCache? = nil) {
        self.label = label
        self.client = client
        self.humanMonitor = QMPHumanMonitor(client: client)
        self.live = LiveValues(client: client)
        self.schemaDiskCache = schemaDiskCache
        self.agent = nil
    }

    /// A session on a direct human monitor.
    public init(label: String, humanMonitor: any HumanMonitor) {
        self.label = label
        self.client = nil
        self.humanMonitor = humanMonitor
        self.live = nil
        self.schemaDiskCache = nil
        self.agent = nil
    }

    /// A session on a guest agent: its commands in the same `NAME key=value` syntax; no HMP, no events.
    public init(label: String, agent: any GuestAgentConnection) {
        self.label = label
        self.client = nil
        self.humanMonitor = NoHumanMonitor(label: label)
        self.live = nil
        self.schemaDiskCache = nil
        self.agent = agent
    }

    /// Whether QMP commands can be sent (false for a direct human monitor).
    public var speaksQMP: Bool { client != nil }

    /// The monitor's schema, fetched once per connection (or read from the disk cache); `nil` for HMP monitors and
    /// for a monitor that answered `query-qmp-schema` with an error or a schema that cannot be read: such a
    /// monitor is asked once (``schemaUnavailableReason`` says why).
    public func schema(timeout: Duration? = nil) async throws -> QAPISchema? {
        guard let client else { return nil }
        let (known, task) = schemaState.withLock { state -> (QAPISchema?, Task<QAPISchema?, any Error>?) in
            if state.schema != nil || state.unavailable != nil { return (state.schema, nil) }
            if let fetching = state.fetching { return (nil, fetching) }
            let fetching = Task { [self] () async throws -> QAPISchema? in
                defer { schemaState.withLock { $0.fetching = nil } }
                if let disk = schemaDiskCache, let schema = disk.load(for: client.greeting, executable: SchemaDiskCache.executable(of: client)) {
                    schemaState.withLock {
                        $0.schema = schema
                        $0.fromDisk = true
                    }
                    return schema
                }
                return try await fetchOnce(timeout: timeout)
            }
            state.fetching = fetching
            return (nil, fetching)
        }
        guard let task else { return known }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }

    /// Whether ``schema(timeout:)`` answered from the disk cache rather than from QEMU.
    public var schemaIsFromDisk: Bool { schemaState.withLock { $0.fromDisk } }

    /// Fetches the schema from QEMU now (updating the disk cache), e.g. to confirm a mistake the cached schema found.
    @discardableResult
    public func liveSchema(timeout: Duration? = nil) async throws -> QAPISchema? {
        guard let client else { return nil }
        let schema: QAPISchema
        if let disk = schemaDiskCache {
            let (fetched, entities) = try await QAPISchema.fetchEntities(from: client, timeout: timeout)
            disk.store(entities, for: client.greeting, executable: SchemaDiskCache.executable(of: client))
            schema = fetched
        } else {
            schema = try await QAPISchema.load(from: client, timeout: timeout)
        }
        schemaState.withLock {
            $0.schema = schema
            $0.fromDisk = false
        }
        return schema
    }

    /// Fetches the schema; a refusal (a QMP error, or a schema that cannot be read) is remembered, so the monitor
    /// is not asked before every command. Connection errors, timeouts and cancellation are not remembered.
    private func fetchOnce(timeout: Duration?) async throws -> QAPISchema? {
        do {
            return try await liveSchema(timeout: timeout)
        } catch let error as QMPError {
            schemaState.withLock { $0.unavailable = "\(error)" }
            return nil
        } catch let error as SchemaDecodingError {
            schemaState.withLock { $0.unavailable = "\(error)" }
            return nil
        }
    }

    /// Why the monitor gave no schema (its error), once ``schema(timeout:)`` found it gives none; `nil` otherwise.
    public var schemaUnavailableReason: String? { schemaState.withLock { $0.unavailable } }

    /// The schema if it has been fetched already; never asks the monitor.
    public var cachedSchema: QAPISchema? { schemaState.withLock { $0.schema } }

    /// Runs an HMP command. On a QMP monitor `cpuIndex` selects the CPU it addresses (`human-monitor-command`'s
    /// `cpu-index`); a direct human monitor keeps its own (`cpu N` there is QEMU's).
    public func runHMP(_ command: String, cpuIndex: Int?, timeout: Duration?) async throws -> String {
        guard let client else { return try await humanMonitor.run(command, timeout: timeout) }
        return try await client.hmp(command, cpuIndex: cpuIndex, timeout: timeout)
    }

    /// The CPU that `command` selects when it is `cpu N` (as in QEMU's own monitor), else `nil`.
    public static func selectedCPU(in command: String) -> Int? {
        let words = command.split(whereSeparator: \.isWhitespace)
        guard words.count == 2, words[0] == "cpu", let index = Int(words[1]), index >= 0 else { return nil }
        return index
    }

    /// Closes the connection.
    public func close() async {
        if let client { await client.close() } else if let agent { await agent.close() } else { await humanMonitor.close() }
    }
}

/// Opens monitors named on the command line. ``standard`` knows QMP (`/path.sock`, `unix:`, `tcp:`, `fd:`) and
/// direct HMP (`hmp:`); other transports (libvirt) are added with ``adding(scheme:_:)`` by the executable, so the
/// library does not link them.
public struct MonitorConnector: Sendable {
    /// Opens a QMP client for a monitor string whose scheme an extension handles.
    public typealias Opener = @Sendable (_ monitor: String, _ configuration: QMPClient.Configuration) async throws -> QMPClient

    private var extensions: [(scheme: String, open: Opener)] = []
    /// Where QMP sessions keep schemas between runs (`SchemaDiskCache.standard` for the command line).
    public var schemaDiskCache: SchemaDiskCache?

    /// QMP and direct HMP monitors.
    public static let standard = MonitorConnector()

    private init() {}

    /// A connector that hands monitors starting with `scheme` (e.g. `"libvirt"`, matching `libvirt:` and
    /// `libvirt+URI#DOMAIN`) to `open`.
    public func adding(scheme: String, _ open: @escaping Opener) -> MonitorConnector {
        var copy = self
        copy.extensions.append((scheme, open))
        return copy
    }

    /// How guest agent addresses (`qga:`, `libvirt+qga:`) are opened; the executable adds libvirt (issue 16).
    public var agents = GuestAgentConnector()

    /// Checks the form of a monitor string without connecting. Throws `MonitorAddressError`.
    public func validate(_ monitor: String) throws {
        if GuestAgentAddress.isAgent(monitor) {
            _ = try GuestAgentAddress(parsing: monitor)
            return
        }
        if extensions.contains(where: { Self.matches(monitor, scheme: $0.scheme) }) { return }
        _ = try MonitorTarget(parsing: Self.resolvingGuestName(monitor))
    }

    /// The monitor of the running guest named `monitor` (`qmpsh boot --name NAME`), when `monitor` is such a name
    /// (no `/` or `:`, and no file of that name here); else `monitor` unchanged.
    public static func resolvingGuestName(_ monitor: String) -> String {
        guard !monitor.contains("/"), !monitor.contains(":"), !FileChecks.exists(monitor),
            let record = GuestDirectory.find(name: monitor)
        else { return monitor }
        return record.monitor
    }

    /// Connects to `monitor` and negotiates. Throws `QMPConnectionError` when it cannot be reached,
    /// `MonitorAddressError` when the string names no monitor.
    public func connect(_ monitor: String, configuration: QMPClient.Configuration = .init()) async throws -> MonitorSession {
        if GuestAgentAddress.isAgent(monitor) {
            // The agent's wire goes where the monitor's would (-v, --transcript, a logger).
            var agent = GuestAgentClient.Configuration()
            agent.defaultTimeout = configuration.greetingTimeout
            agent.messageObserver = configuration.messageObserver
            agent.logger = configuration.logger
            return MonitorSession(label: monitor, agent: try await agents.connect(monitor, configuration: agent))
        }
        if let handler = extensions.first(where: { Self.matches(monitor, scheme: $0.scheme) }) {
            return MonitorSession(
                label: monitor, client: try await handler.open(monitor, configuration), schemaDiskCache: schemaDiskCache)
        }
        switch try MonitorTarget(parsing: Self.resolvingGuestName(monitor)) {
        case .qmp(let address):
            return MonitorSession(
                label: monitor, client: try await Self.connectQMP(address, configuration: configuration),
                schemaDiskCache: schemaDiskCache)
        case .hmp(let address):
            // The busy limit covers a direct human monitor too: connect and banner (a held one prints none).
            let hmp = try await HMPSocketClient.connect(
                to: address, bannerTimeout: configuration.greetingTimeout, busyTimeout: configuration.busyTimeout)
            return MonitorSession(label: monitor, humanMonitor: hmp)
        }
    }

    /// Connects a QMP client. With a ``QMPClient/Configuration/busyTimeout``, a local monitor whose listen queue is
    /// full (another client holds it and more wait, or QEMU is stopped) is reported within that limit too, not only
    /// one that accepted and stays silent: the connect itself gets the busy limit (issue 15).
    static func connectQMP(_ address: MonitorAddress, configuration: QMPClient.Configuration) async throws -> QMPClient {
        guard case .unix = address, let busy = configuration.busyTimeout, busy < configuration.greetingTimeout else {
            return try await QMPClient.connect(to: address, configuration: configuration)
        }
        let connection = try await SocketConnection.connect(to: address, timeout: busy)
        return try await QMPClient.connect(using: connection, configuration: configuration)
    }

    private static func matches(_ monitor: String, scheme: String) -> Bool {
        monitor.hasPrefix(scheme + ":") || monitor.hasPrefix(scheme + "+")
    }
}

/// The human monitor of a session that has none (a guest agent): every command is refused.
struct NoHumanMonitor: HumanMonitor {
    let label: String
    func run(_ commandLine: String, timeout: Duration?) async throws -> String {
        throw QMPUsageError("\(label) is a guest agent: it has no human monitor")
    }
    func close() async {}
}

enum FileChecks {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
