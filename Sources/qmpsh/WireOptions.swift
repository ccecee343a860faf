import ArgumentParser
import GuestAgent
import MonitorShell
import QMP
import QMPWire

/// `-v/--verbose` and `--transcript FILE`, taken by every subcommand that talks to a monitor.
struct WireOptions: ParsableArguments {
    @Flag(name: [.customShort("v"), .long], help: "Print every QMP message sent (->) and received (<-) on stderr, secrets redacted; a guest agent's are marked 'qga'.")
    var verbose = false

    @Option(help: "Write every QMP (and guest agent) message sent and received to this file as JSON lines (secrets redacted, mode 0600).")
    var transcript: String?

    /// Opens the transcript (a usage error, exit 2, when it cannot be written).
    func tap() throws -> WireTap {
        try WireTap(verbose: verbose, transcript: transcript)
    }
}

/// Where the wire goes for one run of a subcommand: stderr (`-v`), a transcript file, or both.
struct WireTap: Sendable {
    let verbose: Bool
    let writer: TranscriptWriter?

    init(verbose: Bool, transcript: String?) throws {
        self.verbose = verbose
        guard let transcript else {
            writer = nil
            return
        }
        do {
            writer = try TranscriptWriter(path: transcript)
        } catch {
            Output.err("UsageError: \(error)\n")
            throw ExitCode(2)
        }
    }

    /// The observer for a monitor's ``QMPClient/Configuration/messageObserver``; `nil` when nothing is asked for.
    /// A guest agent's messages (`monitor` is an agent address, `qga:...` or `libvirt+qga:...`) are marked: `qga`
    /// before the arrow on stderr; in the transcript, `monitor` is the agent's address.
    func observer(monitor: String) -> (@Sendable (QMPClient.MessageDirection, JSON) -> Void)? {
        let verbose = verbose
        let record = writer?.observer(monitor: monitor)
        guard verbose || record != nil else { return nil }
        let mark = GuestAgentAddress.isAgent(monitor) ? "qga " : ""
        return { direction, message in
            record?(direction, message)
            if verbose {
                Output.err(mark + (direction == .sent ? "-> " : "<- ") + Redaction.redact(message).serialized() + "\n")
            }
        }
    }

    /// Sets the observer on `configuration`.
    func apply(to configuration: inout QMPClient.Configuration, monitor: String) {
        configuration.messageObserver = observer(monitor: monitor)
    }

    /// Sets the observer on a guest agent's `configuration`; `agent` is its address (`qga:PATH`).
    func apply(to configuration: inout GuestAgentClient.Configuration, agent: String) {
        configuration.messageObserver = observer(monitor: GuestAgentAddress.isAgent(agent) ? agent : "qga:" + agent)
    }

    /// A guest agent configuration with `timeout` as its limit and this tap's observer.
    func agentConfiguration(_ agent: String, timeout: Duration) -> GuestAgentClient.Configuration {
        var configuration = GuestAgentClient.Configuration()
        configuration.defaultTimeout = timeout
        apply(to: &configuration, agent: agent)
        return configuration
    }

    /// Whether the wire goes anywhere (`-v` or `--transcript`).
    var isActive: Bool { verbose || writer != nil }

    func close() { writer?.close() }
}
