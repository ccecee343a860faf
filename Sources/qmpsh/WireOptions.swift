import ArgumentParser
import MonitorShell
import QMP
import QMPWire

/// `-v/--verbose` and `--transcript FILE`, taken by every subcommand that talks to a monitor.
struct WireOptions: ParsableArguments {
    @Flag(name: [.customShort("v"), .long], help: "Print every QMP message sent (->) and received (<-) on stderr, secrets redacted.")
    var verbose = false

    @Option(help: "Write every QMP message sent and received to this file as JSON lines (secrets redacted, mode 0600).")
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
    func observer(monitor: String) -> (@Sendable (QMPClient.MessageDirection, JSON) -> Void)? {
        let verbose = verbose
        let record = writer?.observer(monitor: monitor)
        guard verbose || record != nil else { return nil }
        return { direction, message in
            record?(direction, message)
            if verbose {
                Output.err((direction == .sent ? "-> " : "<- ") + Redaction.redact(message).serialized() + "\n")
            }
        }
    }

    /// Sets the observer on `configuration`.
    func apply(to configuration: inout QMPClient.Configuration, monitor: String) {
        configuration.messageObserver = observer(monitor: monitor)
    }

    /// Whether the wire goes anywhere (`-v` or `--transcript`).
    var isActive: Bool { verbose || writer != nil }

    func close() { writer?.close() }
}
