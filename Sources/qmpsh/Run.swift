import GuestAgent
import ArgumentParser
import MonitorShell
import QEMURunner
import QMP
import QMPSchema
import QMPWire
#if canImport(Glibc)
import Glibc
#endif

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a .qmp script on monitors, or on a guest booted for it.",
        discussion: """
            The whole script is parsed, its variables expanded and its commands checked against each monitor's
            schema before anything is sent; a mistake is reported as FILE:LINE:COL and exits 2.
            Statements: a command (qmp-shell syntax, raw JSON, or hmp ...), expect PATH OP VALUE, expect-error CLASS
            COMMAND, wait EVENT key=value timeout=S, console-expect "TEXT" timeout=S, console-send "TEXT",
            set NAME=VALUE (${NAME} expands), sleep S. --var NAME=VALUE and QMPSH_VAR_NAME=VALUE in the environment
            override set.
            Exit status: 0 all statements held; 1 a command failed or an expectation did not hold; 2 the script does
            not parse or does not fit the monitor (nothing was sent); 3 a monitor could not be reached or went away.
            Examples:
              qmpsh run hotplug.qmp --monitor /tmp/qmp.sock
              qmpsh run hotplug.qmp --monitor /tmp/a.sock --monitor /tmp/b.sock --parallel --json
              qmpsh run scripts/examples/cd-swap.qmp --accel tcg --kernel vmlinuz --initrd initrd.gz --cdrom a.iso
            """
    )

    @Argument(help: "The script (.qmp); - reads it from standard input.")
    var script: String

    @OptionGroup var runOptions: ScriptOptions

    @Option(name: .customLong("monitor"), help: "A monitor to run the script on (repeatable); without it, the boot options boot a guest for the script.")
    var monitors: [String] = []

    @Flag(help: "With several monitors, run on all of them at once instead of one after another.")
    var parallel = false

    @OptionGroup(title: "Boot options (instead of --monitor)") var bootOptions: BootOptions

    @Option(help: "The guest agent for guest-exec and guest-wait-device: with --monitor an agent address (qga:PATH, libvirt+qga:DOMAIN); with boot options 'on' gives the booted guest an agent port.")
    var agent: String?

    func validate() throws {
        try runOptions.validateOptions()
        if monitors.isEmpty, bootOptions.isEmpty {
            throw ValidationError("give --monitor MONITOR, or boot options for a guest to run the script on (e.g. --kernel F)")
        }
        if !monitors.isEmpty, !bootOptions.isEmpty {
            throw ValidationError("give either --monitor or boot options, not both")
        }
        for monitor in monitors {
            do { try Connector.monitors.validate(monitor) } catch { throw ValidationError("--monitor \(error)") }
        }
        if let agent {
            if monitors.isEmpty {
                guard agent == "on" else { throw ValidationError("with boot options, --agent takes 'on' (the booted guest's own agent)") }
            } else {
                do { _ = try GuestAgentAddress(parsing: agent) } catch { throw ValidationError("--agent \(error)") }
            }
        }
    }

    func run() async throws {
        if monitors.isEmpty {
            let parsed = try runOptions.loadScript(script)
            try await runOptions.runOnBootedGuest(parsed, bootOptions: bootOptions, agent: agent == "on")
        } else {
            let path = script
            try await runOptions.runOnMonitors(
                loading: { try runOptions.loadScript(path) }, monitors: monitors, parallel: parallel, agent: agent)
        }
    }
}

/// Options of a script run, shared by `run` and `boot --script`.
struct ScriptOptions: ParsableArguments {
    @Flag(help: "One JSON object per statement and per event, and a summary object.")
    var json = false

    @Flag(help: "Go on after a failed statement; report all failures at the end.")
    var keepGoing = false

    @Option(name: .customLong("var"), help: "Set a script variable, NAME=VALUE (repeatable; wins over the script's set).")
    var variables: [String] = []

    @Option(help: "Write every QMP message sent and received to this file as JSON lines (secrets redacted).")
    var transcript: String?

    @Flag(name: [.customShort("v"), .long], help: "Print every QMP message sent (->) and received (<-) on stderr, secrets redacted.")
    var verbose = false

    @Option(help: "Seconds for the monitor to answer, and for wait/console-expect without timeout=.")
    var timeout: Double = 30

    @Flag(help: "Do not check commands against the monitor's schema before running.")
    var noValidate = false

    func validateOptions() throws {
        try checkSeconds(timeout, "--timeout")
        _ = try variableOverrides()
    }

    var timeoutDuration: Duration { Seconds.duration(clamping: timeout) }

    func variableOverrides() throws -> [String: String] {
        var result = ScriptParser.environmentOverrides(currentEnvironment())
        for item in variables {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--var \(item): use NAME=VALUE")
            }
            result[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return result
    }

    /// Reads and parses the script; a parse error is printed with its line and caret and exits 2.
    func loadScript(_ path: String) throws -> Script {
        let text: String
        if path == "-" {
            text = readStandardInput()
        } else {
            guard let contents = readTextFile(path) else {
                Output.err("UsageError: cannot read the script \(path)\n")
                throw ExitCode(2)
            }
            text = contents
            if SafeFile.isWritableByOthers(path) == true {
                Output.err("Warning: \(path) is writable by other users, who could change what it sends to the monitor\n")
            }
        }
        do {
            return try ScriptParser(overrides: variableOverrides()).parse(text, file: path == "-" ? "<stdin>" : path)
        } catch let errors as ScriptErrors {
            Output.err(errors.rendered + "\n")
            throw ExitCode(2)
        }
    }

    private var runnerOptions: ScriptRunner.Options {
        var options = ScriptRunner.Options()
        options.keepGoing = keepGoing
        options.timeout = timeoutDuration
        options.reportsEvents = json
        return options
    }

    /// Where the wire goes (`--transcript`, `-v`).
    func wireTap() throws -> WireTap {
        try WireTap(verbose: verbose, transcript: transcript)
    }

    /// Connects to every monitor while `load` reads and parses the script, validates the script on each (nothing is
    /// sent if one does not fit), then runs it on them one after another or all at once. Exits with the worst status.
    ///
    /// Connecting, negotiating and (unless `--no-validate`) fetching each monitor's schema overlap with reading and
    /// parsing the script (issue 14: ~10 ms of a 2 000-line script's start-up). A script that does not parse is
    /// reported first, exit 2, whether or not a monitor could be reached, and the connections are closed unused.
    func runOnMonitors(
        loading load: () throws -> Script, monitors: [String], parallel: Bool, agent agentAddress: String? = nil
    ) async throws {
        let tap = try wireTap()
        defer { tap.close() }
        // With -v or --transcript, the wire shows nothing for a script that does not parse: parse first.
        let parsedFirst = tap.isActive ? try load() : nil
        let connecting = Task { await connect(monitors, tap: tap) }
        let script: Script
        if let parsedFirst {
            script = parsedFirst
        } else {
            do {
                script = try load()
            } catch {
                // The process exits with the parse error; a monitor still being reached sees the connection end.
                connecting.cancel()
                throw error
            }
        }
        var sessions: [MonitorSession] = []
        // Per monitor, when its schema for validation must be there: one --timeout for the fetch that overlaps the
        // parsing and for validation's own requests together (it was one each: twice --timeout in all).
        var schemaDeadlines: [ContinuousClock.Instant] = []
        defer {
            let toClose = sessions
            Task { for session in toClose { await session.close() } }
        }
        try await reportingErrors { (sessions, schemaDeadlines) = try await connecting.value.get() }
        // The guest agent (issue 16): one connection, shared by the runs one after another.
        var opened: (any GuestAgentConnection)?
        if let agentAddress {
            try await reportingErrors {
                opened = try await Connector.agents.connect(
                    agentAddress, configuration: tap.agentConfiguration(agentAddress, timeout: timeoutDuration))
            }
        }
        let agent = opened
        defer {
            let toClose = agent
            Task { await toClose?.close() }
        }
        var schemas: [QAPISchema?] = []
        for (session, deadline) in zip(sessions, schemaDeadlines) {
            schemas.append(try await check(script, on: session, hasConsole: false, hasAgent: agent != nil, schemaDeadline: deadline))
        }
        let showsMonitor = sessions.count > 1
        var worst: Int32 = 0
        if parallel && sessions.count > 1 {
            let statuses = await withTaskGroup(of: Int32.self) { group in
                for (session, schema) in zip(sessions, schemas) {
                    group.addTask {
                        await execute(script, on: session, console: nil, showsMonitor: showsMonitor, agent: agent, schema: schema)
                    }
                }
                var all: [Int32] = []
                for await status in group { all.append(status) }
                return all
            }
            worst = statuses.max() ?? 0
        } else {
            for (session, schema) in zip(sessions, schemas) {
                worst = max(worst, await execute(
                    script, on: session, console: nil, showsMonitor: showsMonitor, agent: agent, schema: schema))
            }
        }
        for session in sessions { await session.close() }
        sessions = []
        if worst != 0 { throw ExitCode(worst) }
    }

    /// Opens `monitors` in order and, when the script is to be validated, has each QMP session fetch its schema
    /// (from the disk cache or the monitor) so validation finds it ready; returns each session with the deadline of
    /// its schema (one `--timeout` from the start of its fetch). On a failure the sessions already open are closed.
    private func connect(
        _ monitors: [String], tap: WireTap
    ) async -> Result<([MonitorSession], [ContinuousClock.Instant]), any Error> {
        var opened: [MonitorSession] = []
        do {
            for monitor in monitors {
                var configuration = QMPClient.Configuration()
                configuration.greetingTimeout = timeoutDuration
                configuration.busyTimeout = busyMonitorLimit  // issue 15: a held monitor is reported within 2 s
                tap.apply(to: &configuration, monitor: monitor)
                opened.append(try await Connector.monitors.connect(monitor, configuration: configuration))
            }
        } catch {
            for session in opened { await session.close() }
            return .failure(error)
        }
        var deadlines: [ContinuousClock.Instant] = []
        do {
            for session in opened {
                let deadline = ContinuousClock.now + timeoutDuration
                deadlines.append(deadline)
                // A monitor that refuses its schema is remembered by the session (validation then checks without
                // it); one that does not answer within --timeout, or goes away, ends the run here (exit 3): a
                // monitor answers in order, so the script's commands would wait behind the unanswered request.
                // With a schema in the disk cache, validation reads it (or the slice of it the script needs) once the
                // script is parsed; otherwise QEMU's answer is awaited here, while the script is read.
                if !noValidate, session.speaksQMP, !hasCachedSchema(session) {
                    _ = try await session.schema(timeout: timeoutDuration)
                }
            }
        } catch {
            for session in opened { await session.close() }
            return .failure(error)
        }
        return .success((opened, deadlines))
    }

    /// Boots a guest, runs the script on it (with its console), and shuts it down whatever happens — also on
    /// Ctrl-C or SIGTERM.
    func runOnBootedGuest(_ script: Script, bootOptions: BootOptions, agent: Bool = false) async throws {
        var configuration = try bootOptions.machineConfiguration()
        if agent { configuration.agent = true }
        var options = bootOptions.guestOptions()
        let tap = try wireTap()
        defer { tap.close() }
        tap.apply(to: &options.monitor, monitor: "guest")
        tap.apply(to: &options.agent, agent: "qga:guest")
        var status: Int32 = 0
        try await reportingErrors {
            let guest = try await Guest.launch(configuration, options: options)
            let session = MonitorSession(label: guest.monitorPath, client: guest.client, schemaDiskCache: Connector.monitors.schemaDiskCache)
            let watcher = SignalWatcher([SIGINT, SIGTERM])
            let signals = watcher.signals
            let running = Task {
                do {
                    try await check(script, on: session, hasConsole: true, hasAgent: guest.agent != nil)
                } catch {
                    return (error as? ExitCode)?.rawValue ?? 2
                }
                if script.usesAgent, guest.agent != nil {
                    // A script that checks through the agent: start once the guest's agent answers (no console
                    // statement may be there to wait for the boot).
                    do {
                        try await guest.waitForAgent(timeout: max(timeoutDuration, .seconds(300)))
                    } catch {
                        Output.err("Timeout: the guest's agent did not answer: \(error)\n")
                        return 3
                    }
                }
                return await execute(script, on: session, console: guest.console, showsMonitor: false, agent: guest.agent)
            }
            // A first signal stops the script and powers the guest down; a second one forces it off.
            let interrupt = Boot.stoppingOnSignals(signals, guest: guest) { name in
                Output.err("# \(name): stopping the script and shutting the guest down; again forces it off\n")
                running.cancel()
            }
            status = await running.value
            let termination = await guest.shutdown()
            interrupt.cancel()
            withExtendedLifetime(watcher) {}
            if !json { Output.err("# guest shut down: \(termination)\n") }
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Whether the disk cache holds a schema for this session's QEMU (not read yet).
    private func hasCachedSchema(_ session: MonitorSession) -> Bool {
        guard let disk = session.schemaDiskCache, let client = session.client,
              let executable = SchemaDiskCache.executable(of: client),
              let name = disk.fileName(for: client.greeting, executable: executable)
        else { return false }
        return access(disk.directory + "/" + name, R_OK) == 0
    }

    /// Validates `script` against `session`, asking the monitor for nothing after `schemaDeadline` (default: one
    /// `--timeout` from now); prints errors (exit 2) and warnings. Returns the schema from the disk cache it was
    /// checked against when the session holds none (for the runner's boolean coercion).
    ///
    /// With the session's QEMU in the disk cache, only the slice of the cached schema that the script's commands
    /// and events need is read (`SchemaDiskCache.loadSlice`), cut from the whole file and kept the first time
    /// (issue 14, session 6: reading the whole file was ~33 million instructions of a run's start-up).
    @discardableResult
    func check(
        _ script: Script, on session: MonitorSession, hasConsole: Bool, hasAgent: Bool = false,
        schemaDeadline: ContinuousClock.Instant? = nil
    ) async throws -> QAPISchema? {
        var validator = ScriptValidator(script: script, hasConsole: hasConsole, usesSchema: !noValidate)
        validator.hasAgent = hasAgent
        if !noValidate, session.cachedSchema == nil, let disk = session.schemaDiskCache, let client = session.client {
            let needs = ScriptValidator.schemaNeeds(of: script)
            let executable = SchemaDiskCache.executable(of: client)
            if needs.commands.isEmpty && needs.events.isEmpty {
                // Nothing to look up (HMP lines, expectations): no file to read.
                validator.cachedSchema = QAPISchema(entities: [])
            } else {
                validator.cachedSchema = disk.loadSlice(for: client.greeting, executable: executable, needs: needs)
                    ?? disk.loadWritingSlice(for: client.greeting, executable: executable, needs: needs)
            }
        }
        let result = try await validator.validate(on: session, until: schemaDeadline ?? .now + timeoutDuration)
        let prefix = session.label
        if !noValidate, session.speaksQMP, session.cachedSchema == nil, validator.cachedSchema == nil,
           session.schemaUnavailableReason == nil
        {
            Output.err("warning: \(prefix) sent no schema within \(timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout))s: the script was not checked against its schema\n")
        }
        for warning in result.warnings { Output.err(warning.rendered + "\n") }
        let errors = result.errors
        guard errors.isEmpty else {
            Output.err(errors.map(\.rendered).joined(separator: "\n") + "\n")
            Output.err("# nothing was sent to \(prefix)\n")
            throw ExitCode(2)
        }
        return session.cachedSchema == nil ? validator.cachedSchema : nil
    }

    /// Runs and prints; returns the exit status for this monitor.
    func execute(
        _ script: Script, on session: MonitorSession, console: SerialConsole?, showsMonitor: Bool,
        agent: (any GuestAgentConnection)? = nil, schema: QAPISchema? = nil
    ) async -> Int32 {
        let formatter = ScriptOutputFormatter(style: json ? .json : .human, monitor: session.label, showsMonitor: showsMonitor)
        var options = runnerOptions
        // Relative file names in the script mean the script user's folder on a monitor of this machine (issue 15).
        options.localPaths = LocalPaths.forMonitor(session.label)
        options.schema = schema
        let runner = ScriptRunner(script: script, session: session, console: console, options: options, agent: agent)
        // Formatting and writing happen on the writer's thread, off the round trips (issue 14).
        let writer = ScriptReportWriter(formatter: formatter, file: script.file) { out, err in
            if let out { Output.out(out) }
            if let err { Output.err(err) }
        }
        let summary = await runner.run { writer.report($0) }
        writer.finish(summary)
        return summary.exitStatus
    }
}

func readStandardInput() -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        bytes += chunk[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

func currentEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        pointer += 1
    }
    return result
}
