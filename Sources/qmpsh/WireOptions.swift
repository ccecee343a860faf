#if canImport(Glibc)
import Glibc
#endif
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
///
/// Neither is written on the connection's I/O thread, which calls the observer: the observer formats each line
/// and queues it, and a writer thread of its own writes it (``BackgroundLineWriter``). A transcript on a slow disk
/// or `qmpsh ... -v 2>&1 | slow-reader` no longer holds up calls, events or `--timeout`. With `-v`, everything the
/// tool prints on stderr goes through the same queue (``Output/err(_:)``), so messages stay in order after the
/// wire lines. What the queue could not hold is said: a line where it is missing, and one on stderr at the end.
struct WireTap: Sendable {
    let verbose: Bool
    let writer: TranscriptWriter?
    /// The `-v` writer on stderr.
    let standardError: BackgroundLineWriter?
    private let redactor = WireRedactor()

    init(verbose: Bool, transcript: String?) throws {
        self.verbose = verbose
        if let transcript {
            do {
                writer = try TranscriptWriter(path: transcript)
            } catch {
                Output.err("UsageError: \(error)\n")
                throw ExitCode(2)
            }
        } else {
            writer = nil
        }
        if verbose {
            let lines = BackgroundLineWriter(descriptor: 2, ownsDescriptor: false) { dropped in
                "qmpsh: " + TranscriptWriter.notLogged(dropped, by: "stderr") + "\n"
            }
            Output.send(standardErrorTo: lines)
            standardError = lines
        } else {
            standardError = nil
        }
    }

    /// The observer for a monitor's ``QMPClient/Configuration/messageObserver``; `nil` when nothing is asked for.
    /// A guest agent's messages (`monitor` is an agent address, `qga:...` or `libvirt+qga:...`) are marked: `qga`
    /// before the arrow on stderr; in the transcript, `monitor` is the agent's address.
    func observer(monitor: String) -> (@Sendable (QMPClient.MessageDirection, JSON) -> Void)? {
        let record = writer?.observer(monitor: monitor)
        let standardError = standardError
        guard standardError != nil || record != nil else { return nil }
        let mark = GuestAgentAddress.isAgent(monitor) ? "qga " : ""
        let redactor = redactor
        let terminal = isatty(2) == 1  // asked once, not on the I/O thread for every message
        return { direction, message in
            record?(direction, message)
            if let standardError {
                let text = mark + (direction == .sent ? "-> " : "<- ")
                    + redactor.redact(monitor: monitor, direction: direction, message: message).serialized() + "\n"
                standardError.enqueue(terminal ? TerminalText.escaped(text) : text)
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

    /// Writes what is queued, within ``TranscriptWriter/closingDeadline`` in all (a reader that never reads
    /// must not keep the tool from exiting), and says on stderr how many messages the transcript lost.
    func close() {
        let deadline = ContinuousClock.now + TranscriptWriter.closingDeadline
        if let writer, case let lost = writer.close(within: deadline - .now), lost > 0 {
            let reason = writer.writeFailure.map { ": " + String(cString: strerror($0.errno)) } ?? ""
            Output.err("qmpsh: " + TranscriptWriter.notLogged(lost, by: "the transcript") + " (\(writer.path)\(reason))\n")
        }
        if let standardError {
            Output.stopSending(standardErrorTo: standardError)
            standardError.close(within: max(.zero, deadline - .now))
        }
    }
}
