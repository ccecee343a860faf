import ArgumentParser
import HMP
import LineEditing
import MonitorShell
import QMP
import QMPSchema
import QMPWire
#if canImport(Glibc)
import Glibc
#endif

struct Shell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "The interactive monitor shell (the default: `qmpsh MONITOR` opens it).",
        discussion: """
            Lines are QMP commands (`device_del id=vd1`, raw JSON), `hmp LINE` or `!LINE` for HMP, or shell commands
            that start with a dot (.help lists them). Tab completes command names, arguments, values and live ids;
            events are shown above the prompt as they arrive. With several monitors, `.use N` switches.
            On a terminal lines are edited with libedit (history in --history); from a pipe lines are read as they
            come. A `transaction(` line starts a block of actions, sent as one QMP transaction at `)`.
            Exit status: 0 after .quit, quit or Ctrl-D; 3 when a monitor cannot be reached or goes away; with --check,
            1 when a command failed and 2 when a line was not understood (as `qmpsh run` does).
            Without a MONITOR, $QMP_SOCKET names it. HOST:PORT is short for tcp:HOST:PORT.
            Examples:
              qmpsh /tmp/qmp.sock
              printf 'query-status\nquit\n' | qmpsh shell --check /tmp/qmp.sock
              qmpsh shell /tmp/a.sock hmp:/tmp/b-hmp.sock --history ~/.qmpsh_history
            """
    )

    @Argument(help: "One or more monitors: /path.sock, unix:/path.sock, tcp:HOST:PORT, HOST:PORT or hmp:/path.sock (default: $QMP_SOCKET).")
    var monitors: [String] = []

    @Flag(help: "Treat every line as a human-monitor (HMP) command.")
    var hmp = false

    @Flag(help: "Print replies indented over several lines.")
    var pretty = false

    @Option(help: "History file (default: $XDG_STATE_HOME/qmpsh/history or ~/.local/state/qmpsh/history).")
    var history: String?

    @Option(help: "Seconds to wait for each monitor's greeting (a monitor held by another client sends none) and for each answer.")
    var timeout: Double = 10

    @OptionGroup var wire: WireOptions

    @Flag(name: [.customShort("N"), .customLong("no-negotiate")],
          help: "Send commands at once: no greeting is awaited and no qmp_capabilities sent (a peer that sends no greeting).")
    var noNegotiate = false

    @Flag(name: [.customLong("check"), .customLong("strict")],
          help: "Exit 1 if a command failed, 2 if a line was not understood (for piped sessions).")
    var check = false

    mutating func validate() throws {
        if monitors.isEmpty, let socket = currentEnvironment()["QMP_SOCKET"], !socket.isEmpty { monitors = [socket] }
        guard !monitors.isEmpty else {
            throw ValidationError("give at least one monitor, e.g. qmpsh /tmp/qmp.sock (or set QMP_SOCKET)")
        }
        try checkSeconds(timeout, "--timeout")
        for monitor in monitors {
            // `qmpsh exce` is a mistyped subcommand, not a socket named "exce" in this folder.
            // A running guest's name (qmpsh boot --name) is a monitor too.
            if !monitor.contains("/") && !monitor.contains(":") && access(monitor, F_OK) != 0
                && MonitorConnector.resolvingGuestName(monitor) == monitor
            {
                let names = QMPSH.configuration.subcommands.map { $0._commandName }
                let hint = Suggestion.closest(to: monitor, in: names).map { " — did you mean '\($0)'?" } ?? ""
                throw ValidationError("'\(monitor)' is neither a subcommand nor a monitor socket\(hint)")
            }
            do { try Connector.monitors.validate(monitor) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = Seconds.duration(clamping: timeout)
        configuration.busyTimeout = busyMonitorLimit  // issue 15: a held monitor is reported within 2 s
        configuration.negotiates = !noNegotiate
        let tap = try wire.tap()
        defer { tap.close() }
        // Every answer has a limit too (fed from a pipe with QEMU stopped, the shell used to wait until Ctrl-C).
        let answerTimeout = Seconds.duration(clamping: timeout)
        configuration.defaultTimeout = answerTimeout
        var sessions: [MonitorSession] = []
        do {
            try await reportingErrors {
                for monitor in monitors {
                    do {
                        var configuration = configuration
                        tap.apply(to: &configuration, monitor: monitor)
                        sessions.append(try await Connector.monitors.connect(monitor, configuration: configuration))
                    } catch let error as QMPConnectionError {
                        throw QMPConnectionError(error.code, Self.explain(error, monitor: monitor), errno: error.errno)
                    }
                }
            }
        } catch {
            for session in sessions { await session.close() }
            throw error
        }
        var options = MonitorREPL.Options()
        options.hmpMode = hmp
        options.pretty = pretty
        options.checksFailures = check
        options.commandTimeout = answerTimeout
        let status = await Self.runREPL(sessions: sessions, options: options, history: history)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the shell on open sessions with the standard line editor, then closes the editor (saving the history)
    /// and, unless told not to, the sessions; returns the exit status.
    static func runREPL(
        sessions: [MonitorSession], options: MonitorREPL.Options, history: String?, closingSessions: Bool = true
    ) async -> Int32 {
        let historyFile = history ?? HistoryLocation.defaultPath(program: "qmpsh")
        let editor = LineEditors.makeStandard(historyFile: historyFile)
        let repl = MonitorREPL(sessions: sessions, editor: editor, options: options)
        let status = await repl.run()
        editor.close()
        if closingSessions { for session in sessions { await session.close() } }
        return status
    }

    /// The connection error in words that say what to do.
    static func explain(_ error: QMPConnectionError, monitor: String) -> String {
        switch error.code {
        case .refused:
            return "\(error.message) (nothing accepts connections there: QEMU has exited or is not listening yet)"
        case .noGreeting where monitor.hasPrefix("hmp:"):
            return "\(monitor) is busy: another client holds the human monitor (it serves one client at a time); "
                + "close it or give QEMU a second -monitor socket"
        case .noGreeting:
            return "\(monitor) is busy: another client holds the monitor (QMP serves one client at a time); "
                + "close it or give QEMU a second -qmp socket"
        default:
            return error.message
        }
    }
}
