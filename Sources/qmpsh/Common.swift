import GuestAgent
import ArgumentParser
import HMP
import MonitorShell
import QEMURunner
import QMP
import QMPLibvirt
import QMPWire

/// Options every monitor command takes.
struct MonitorOptions: ParsableArguments {
    @Argument(help: "The monitor: /path.sock, unix:/path.sock, tcp:HOST:PORT, libvirt:DOMAIN or libvirt+URI#DOMAIN.")
    var monitor: String

    @Option(help: "Seconds to wait for the monitor and for each answer.")
    var timeout: Double = 30

    @OptionGroup var wire: WireOptions

    var timeoutDuration: Duration { Seconds.duration(clamping: timeout) }

    func validate() throws {
        try checkSeconds(timeout, "--timeout")
        try validateQMPMonitor(monitor)
    }

    /// Connects, runs `body`, closes; turns library errors into the CLI's one-line messages and exit codes.
    func withClient(_ body: (QMPClient) async throws -> Void) async throws {
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = timeoutDuration
        configuration.busyTimeout = busyMonitorLimit  // issue 15: a held monitor is reported within 2 s
        configuration.defaultTimeout = timeoutDuration
        let tap = try wire.tap()
        defer { tap.close() }
        tap.apply(to: &configuration, monitor: monitor)
        try await reportingErrors(monitor: monitor) {
            try await withQMPClient(monitor, configuration: configuration, body)
        }
    }
}

/// Checks a monitor that must speak QMP: a QMP socket address or a libvirt guest.
func validateQMPMonitor(_ monitor: String) throws {
    if GuestAgentAddress.isAgent(monitor) {  // issue 16: `qmpsh exec qga:PATH guest-ping`
        do { _ = try GuestAgentAddress(parsing: monitor) } catch { throw ValidationError(error.description) }
        return
    }
    let monitor = MonitorConnector.resolvingGuestName(monitor)
    if LibvirtMonitorAddress.isLibvirt(monitor) {
        do { _ = try LibvirtMonitorAddress(parsing: monitor) } catch { throw ValidationError(error.message) }
    } else {
        do { _ = try MonitorAddress(parsing: monitor) } catch { throw ValidationError(error.description) }
    }
}

/// Connects to a QMP monitor through ``Connector/monitors``, runs `body`, closes on every path.
func withQMPClient(
    _ monitor: String, configuration: QMPClient.Configuration, _ body: (QMPClient) async throws -> Void
) async throws {
    let session = try await Connector.monitors.connect(monitor, configuration: configuration)
    guard let client = session.client else {
        await session.close()
        if session.agent != nil {
            throw QMPUsageError("\(monitor) is a guest agent; this command needs QMP (qmpsh exec and qmpsh guest take agents)")
        }
        throw QMPUsageError("\(monitor) is a human monitor; this command needs QMP")
    }
    do {
        try await body(client)
        await client.close()
    } catch {
        await client.close()
        throw error
    }
}

/// How long a monitor that accepted the connection may stay silent before it is reported as busy (held by another
/// client); `--timeout` still bounds the connect itself (issue 15).
let busyMonitorLimit: Duration = .seconds(2)

/// Runs `body`; prints a failure as one line on stderr that names its class, and exits with the matching status
/// (1 a command failed, 2 bad input, 3 the monitor could not be reached, stopped answering or went away), as
/// MonitorShell's ``ErrorReport`` decides. Errors it does not know (the argument parser's own) pass through.
/// `monitor`, when known, fits the hint to the kind of monitor (``ErrorReport/hint(for:monitor:)``).
func reportingErrors(monitor: String? = nil, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        guard let report = ErrorReport(classifying: error) else { throw error }
        // A silent monitor: busy, an agent's socket (issue 16), a held human monitor; the hint fits `monitor`.
        let hint = ErrorReport.hint(for: error, monitor: monitor).map { " (\($0))" } ?? ""
        Output.err(report.line + hint + "\n")
        throw ExitCode(report.exitStatus)
    }
}

/// Checks any monitor string the connector accepts (QMP, `hmp:`, libvirt), as a usage error.
func validateMonitor(_ monitor: String) throws {
    if LibvirtMonitorAddress.isLibvirt(monitor) { return try validateQMPMonitor(monitor) }
    do { try Connector.monitors.validate(monitor) } catch { throw ValidationError("\(error)") }
}

/// Checks a number of seconds given on the command line (``Seconds``): `1e16`, `inf` or `nan` are usage errors,
/// not a trap in a later conversion.
func checkSeconds(_ value: Double, _ option: String, allowsZero: Bool = false) throws {
    do { _ = try Seconds.check(value, name: option, allowsZero: allowsZero) } catch { throw ValidationError(error.description) }
}
