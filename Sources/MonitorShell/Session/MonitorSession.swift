public import HMP
public import QMP
public import QMPSchema
import QMPWire

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

    /// A session on a QMP connection.
    public init(label: String, client: QMPClient) {
        self.label = label
        self.client = client
        self.humanMonitor = QMPHumanMonitor(client: client)
        self.live = LiveValues(client: client)
    }

    /// A session on a direct human monitor.
    public init(label: String, humanMonitor: any HumanMonitor) {
        self.label = label
        self.client = nil
        self.humanMonitor = humanMonitor
        self.live = nil
    }

    /// Whether QMP commands can be sent (false for a direct human monitor).
    public var speaksQMP: Bool { client != nil }

    /// The monitor's schema, fetched once per connection; `nil` for HMP monitors.
    public func schema(timeout: Duration? = nil) async throws -> QAPISchema? {
        guard let client else { return nil }
        return try await QAPISchema.load(from: client, timeout: timeout)
    }

    /// Closes the connection.
    public func close() async {
        if let client { await client.close() } else { await humanMonitor.close() }
    }
}

/// Opens monitors named on the command line. ``standard`` knows QMP (`/path.sock`, `unix:`, `tcp:`, `fd:`) and
/// direct HMP (`hmp:`); other transports (libvirt) are added with ``adding(scheme:_:)`` by the executable, so the
/// library does not link them.
public struct MonitorConnector: Sendable {
    /// Opens a QMP client for a monitor string whose scheme an extension handles.
    public typealias Opener = @Sendable (_ monitor: String, _ configuration: QMPClient.Configuration) async throws -> QMPClient

    private var extensions: [(scheme: String, open: Opener)] = []

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

    /// Checks the form of a monitor string without connecting. Throws ``MonitorAddressError``.
    public func validate(_ monitor: String) throws {
        if extensions.contains(where: { Self.matches(monitor, scheme: $0.scheme) }) { return }
        _ = try MonitorTarget(parsing: monitor)
    }

    /// Connects to `monitor` and negotiates. Throws `QMPConnectionError` when it cannot be reached,
    /// ``MonitorAddressError`` when the string names no monitor.
    public func connect(_ monitor: String, configuration: QMPClient.Configuration = .init()) async throws -> MonitorSession {
        if let handler = extensions.first(where: { Self.matches(monitor, scheme: $0.scheme) }) {
            return MonitorSession(label: monitor, client: try await handler.open(monitor, configuration))
        }
        switch try MonitorTarget(parsing: monitor) {
        case .qmp(let address):
            return MonitorSession(label: monitor, client: try await QMPClient.connect(to: address, configuration: configuration))
        case .hmp(let address):
            let hmp = try await HMPSocketClient.connect(to: address, bannerTimeout: configuration.greetingTimeout)
            return MonitorSession(label: monitor, humanMonitor: hmp)
        }
    }

    private static func matches(_ monitor: String, scheme: String) -> Bool {
        monitor.hasPrefix(scheme + ":") || monitor.hasPrefix(scheme + "+")
    }
}
