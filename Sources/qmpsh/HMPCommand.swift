import ArgumentParser
import HMP
import MonitorShell
import QMP
import QMPWire

struct HMPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hmp",
        abstract: "Run one human-monitor (HMP) command and print its text.",
        discussion: """
            MONITOR is a QMP monitor (/path.sock, unix:/path, tcp:HOST:PORT: the command goes through
            human-monitor-command) or a direct human monitor started with -monitor unix:PATH,server=on,wait=off
            (hmp:/path.sock). Both print the same text. A failure that HMP reports as text ("unknown command",
            "Error: ...") exits 1.
            Examples:
              qmpsh hmp /tmp/qmp.sock 'info status'
              qmpsh hmp hmp:/tmp/hmp.sock 'change ide1-cd0 /tmp/b.iso'
            """
    )

    @Argument(help: "The monitor: a QMP socket, hmp:/path.sock for a direct human monitor, or a libvirt guest (libvirt:DOMAIN).")
    var monitor: String

    @Argument(help: "The HMP command line, e.g. 'info block'. Several words are joined with spaces.")
    var commandLine: [String]

    @Option(help: "Seconds to wait for the monitor and for the answer.")
    var timeout: Double = 30

    @Flag(help: "Print the typed result as JSON (for the info commands listed in the README).")
    var json = false

    @OptionGroup var wire: WireOptions

    var line: String { commandLine.joined(separator: " ") }

    func validate() throws {
        try checkSeconds(timeout, "--timeout")
        try validateMonitor(monitor)
        guard !line.allSatisfy(\.isWhitespace) else { throw ValidationError("give an HMP command, e.g. 'info status'") }
        guard !line.contains(where: \.isNewline) else { throw ValidationError("one HMP command at a time (no line breaks)") }
        if json, !HMPTypedInfo.supportedCommands.contains(line.split(separator: " ").joined(separator: " ")) {
            throw ValidationError(
                "no typed result for '\(line)'; --json works with: \(HMPTypedInfo.supportedCommands.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let limit = Seconds.duration(clamping: timeout)
        let tap = try wire.tap()
        defer { tap.close() }
        try await reportingErrors(monitor: monitor) {
            var configuration = QMPClient.Configuration()
            configuration.greetingTimeout = limit
            configuration.busyTimeout = busyMonitorLimit  // issue 15: a held monitor is reported within 2 s
            tap.apply(to: &configuration, monitor: self.monitor)
            let session = try await Connector.monitors.connect(self.monitor, configuration: configuration)
            let monitor = session.humanMonitor
            do {
                // A relative file name means the user's folder, not QEMU's (issue 15).
                let sent = LocalPaths.forMonitor(self.monitor)?.resolvingHMP(line) ?? line
                let raw = try await monitor.run(sent, timeout: limit)
                if json, let value = try HMPTypedInfo.json(forCommand: line, output: raw) {
                    Output.out(value.serialized(pretty: true) + "\n")
                } else {
                    let text = raw.replacingCRLF()
                    Output.out(text.isEmpty || text.hasSuffix("\n") ? text : text + "\n")
                }
                await monitor.close()
            } catch {
                let explained = await DeviceListing.explaining(error, client: session.client)  // issue 15
                await monitor.close()
                throw explained
            }
        }
    }
}

extension String {
    /// QEMU's HMP output ends lines with `\r\n`; print plain `\n`.
    func replacingCRLF() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        var previousCR = false
        for character in unicodeScalars {
            if previousCR && character != "\n" { result.unicodeScalars.append("\r") }
            previousCR = character == "\r"
            if !previousCR { result.unicodeScalars.append(character) }
        }
        if previousCR { result.unicodeScalars.append("\r") }
        return result
    }
}
