import ArgumentParser
import HMP
import MonitorShell
import QEMURunner
import QMP
import QMPLibvirt

/// Options every monitor command takes.
struct MonitorOptions: ParsableArguments {
    @Argument(help: "The monitor: /path.sock, unix:/path.sock, tcp:HOST:PORT, libvirt:DOMAIN or libvirt+URI#DOMAIN.")
    var monitor: String

    @Option(help: "Seconds to wait for the monitor and for each answer.")
    var timeout: Double = 30

    var timeoutDuration: Duration { .milliseconds(Int64(timeout * 1000)) }

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
        try validateQMPMonitor(monitor)
    }

    /// Connects, runs `body`, closes; turns library errors into the CLI's one-line messages and exit codes.
    func withClient(_ body: (QMPClient) async throws -> Void) async throws {
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = timeoutDuration
        configuration.defaultTimeout = timeoutDuration
        try await reportingErrors {
            try await withQMPClient(monitor, configuration: configuration, body)
        }
    }
}

/// Checks a monitor that must speak QMP: a QMP socket address or a libvirt guest.
func validateQMPMonitor(_ monitor: String) throws {
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

/// Runs `body`; prints a failure as one line on stderr that names its class, and exits with the matching status:
/// 1 a command failed, 2 bad input, 3 the monitor could not be reached or went away.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as QMPError {
        Output.err("\(error)\n")
        throw ExitCode(1)
    } catch let error as HMPError {
        Output.err("\(error)\n")
        throw ExitCode(1)
    } catch let error as QMPConnectionError {
        Output.err("ConnectionError: \(error.message)\n")
        throw ExitCode(3)
    } catch let error as QMPTimeoutError {
        Output.err("\(error)\n")
        throw ExitCode(3)
    } catch let error as MonitorSyntaxError {
        Output.err("SyntaxError: \(error.message) (\(error.description.prefix { $0 != ":" }))\n")
        throw ExitCode(2)
    } catch let error as QMPUsageError {
        Output.err("UsageError: \(error)\n")
        throw ExitCode(2)
    } catch let error as QMPResponseDecodingError {
        Output.err("DecodingError: \(error)\n")
        throw ExitCode(1)
    } catch let error as LibvirtError {
        // Libvirt's failures are one line that says what to do; a bad monitor string is bad input (2), the rest
        // mean the guest's monitor could not be reached (3).
        Output.err("LibvirtError: \(error.message)\n")
        throw ExitCode(error.code == .invalidAddress ? 2 : 3)
    } catch let error as RunnerError {
        // The class is the code, capitalised (`ToolFailed: qemu-img info failed ...`). Exit status:
        // 2 invalidConfiguration (refused before anything ran); 3 notFound (QEMU or qemu-img is not installed) and
        // qemuExited (the monitor went away); 1 the rest: toolFailed (qemu-img's message follows), timedOut and
        // noProgress (a wait or expectation did not hold), io.
        let name = error.code.rawValue.prefix(1).uppercased() + error.code.rawValue.dropFirst()
        Output.err("\(name): \(error.message)\n")
        switch error.code {
        case .invalidConfiguration: throw ExitCode(2)
        case .notFound, .qemuExited: throw ExitCode(3)
        default: throw ExitCode(1)
        }
    }
}

/// Checks any monitor string the connector accepts (QMP, `hmp:`, libvirt), as a usage error.
func validateMonitor(_ monitor: String) throws {
    if LibvirtMonitorAddress.isLibvirt(monitor) { return try validateQMPMonitor(monitor) }
    do { try Connector.monitors.validate(monitor) } catch { throw ValidationError("\(error)") }
}
