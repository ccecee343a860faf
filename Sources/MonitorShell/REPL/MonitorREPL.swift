public import LineEditing
import QMP
import QMPSchema
import Synchronization

/// The interactive monitor shell, without any terminal code: it reads lines from a `LineEditor` (libedit on a
/// terminal, a pipe, or a script in tests), sends them to one of several ``MonitorSession``s, and prints replies
/// and live events through the same editor.
///
/// Input is the syntax of `MonitorInput` (`cmd k=v`, raw JSON, `hmp ...` / `!...`; every line is HMP in HMP mode) plus
/// shell commands that start with a dot (`.help`, `.events`, `.pretty`, `.time`, `.hmp`, `.use`, `.record`, `.jobs`,
/// `.quit`). QMP commands are checked against the live schema before they are sent. Tab completion comes from the
/// schema and live values; events are printed as they arrive, with their time, and so are progress lines of running
/// jobs.
///
/// ```swift
/// let repl = MonitorREPL(sessions: [session], editor: LineEditors.makeStandard(historyFile: path))
/// let status = await repl.run()   // 0: .quit or Ctrl-D; 3: the monitor went away
/// ```
public final class MonitorREPL: Sendable {
    /// How the shell starts.
    public struct Options: Sendable {
        /// Every line is an HMP command (`--hmp`).
        public var hmpMode = false
        /// Replies indented over several lines (`--pretty`).
        public var pretty = false
        /// Show each command's time.
        public var timing = false
        /// Show events as they arrive.
        public var showEvents = true
        /// Time limit for each command; `nil` waits as long as it takes.
        public var commandTimeout: Duration?
        /// Print the banner (QEMU version and VM status) before the first prompt, on interactive editors.
        public var banner = true
        /// `--check` / `--strict`: when a line failed (a command QEMU refused, a syntax or validation error), ``run()``
        /// ends with the status a script would (1 for a failed command, 2 for input that was not understood)
        /// instead of 0. The shell still reads on after a failure.
        public var checksFailures = false
        /// Connects the terminal to the guest's serial console until the user comes back (`.console`); `nil`
        /// when there is no console to switch to. Returns `true` when the shell is to end (the user chose to power
        /// the guest down from the console), `false` to go on reading commands.
        public var attachConsole: (@Sendable () async -> Bool)?

        /// The defaults: QMP mode, events and the banner shown, compact replies without timing, no time limit,
        /// failures that do not change the exit status, and no console to switch to.
        public init() {}
    }

    /// The exit status after `.quit` or the end of input.
    public static let exitSuccess: Int32 = 0
    /// The exit status when the current monitor went away (QEMU exited or dropped the connection).
    public static let exitMonitorGone: Int32 = 3
    /// With ``Options/checksFailures``: a command failed.
    public static let exitCommandFailed: Int32 = 1
    /// With ``Options/checksFailures``: a line was not understood (syntax, validation, unfinished transaction).
    public static let exitBadInput: Int32 = 2

    struct State {
        var current = 0
        var hmpMode: Bool
        var pretty: Bool
        var timing: Bool
        var showEvents: Bool
        /// Event name patterns (`DEVICE_*`); empty shows all.
        var eventFilter: [String] = []
        /// Monitors that went away, with the reason.
        var lost: [Int: String] = [:]
        var recorder: ScriptRecorder?
        var completers: [Int: SchemaCompleter] = [:]
        var hmpHelp: [Int: LiveValueSnapshot] = [:]
        /// The `transaction(` block being typed, if any.
        var transaction: TransactionBlock?
        /// A block was dropped after a bad line: its remaining lines, up to `)`, are skipped.
        var droppingTransaction = false
        /// The CPU that HMP commands address on each monitor (`cpu N`).
        var cpuIndex: [Int: Int] = [:]
        /// Monitors whose missing schema the user has been told about.
        var toldNoSchema: Set<Int> = []
        /// The status of the first failed line (for ``Options/checksFailures``).
        var firstFailure: Int32?
        /// Guest agent sessions: the enabled commands from guest-info (issue 16).
        var agentCommands: [Int: [String]] = [:]
        /// Live job progress lines above the prompt (`.jobs on|off`).
        var showJobs = true
        /// The jobs being followed for live lines, and where to ask each monitor's watcher to follow one.
        var followedJobs: Set<JobKey> = []
        var jobFollowRequests: [Int: AsyncStream<String>.Continuation] = [:]
    }

    let sessions: [MonitorSession]
    let editor: any LineEditor
    let options: Options
    let state: Mutex<State>

    /// A shell on `sessions` (at least one; the first is current), reading from and printing to `editor`.
    /// The caller owns the sessions and the editor, and closes them after ``run()``.
    public init(sessions: [MonitorSession], editor: any LineEditor, options: Options = Options()) {
        precondition(!sessions.isEmpty, "MonitorREPL needs at least one monitor")
        self.sessions = sessions
        self.editor = editor
        self.options = options
        state = Mutex(State(
            hmpMode: options.hmpMode, pretty: options.pretty, timing: options.timing, showEvents: options.showEvents))
    }

    /// Reads and runs lines until `.quit`, the end of input, or the current monitor going away; returns the exit
    /// status (``exitSuccess`` or ``exitMonitorGone``). Events are watched for as long as it runs.
    public func run() async -> Int32 {
        editor.setCompleter { [self] line in await completion(for: line) }
        defer { editor.setCompleter(nil) }
        if options.banner && editor.isInteractive { await printBanner() }
        // The schemas are fetched once the first prompt is up (so they never delay it), and only for a person at
        // a terminal, who may press Tab; piped input fetches a schema when it first validates a command.
        let (promptShown, showPrompt) = AsyncStream<Void>.makeStream()
        return await withTaskGroup(of: Void.self) { group in
            for index in sessions.indices {
                group.addTask { await self.watchEvents(of: index) }
                group.addTask { await self.watchJobs(of: index) }
            }
            if editor.isInteractive {
                group.addTask {
                    for await _ in promptShown { break }
                    for session in self.sessions where session.speaksQMP && !Task.isCancelled {
                        _ = try? await session.schema()
                    }
                }
            }
            var status = await loop(onFirstPrompt: { showPrompt.yield() })
            showPrompt.finish()
            group.cancelAll()
            if status == Self.exitSuccess, options.checksFailures, let failure = state.withLock({ $0.firstFailure }) {
                status = failure
            }
            return status
        }
    }

    private func loop(onFirstPrompt: () -> Void) async -> Int32 {
        var firstPrompt = true
        while true {
            if let gone = currentLoss() {
                print("\(gone)\n", to: .error)
                return Self.exitMonitorGone
            }
            let index = state.withLock { $0.current }
            await sessions[index].live?.beginPrompt()
            async let line = editor.readLine(prompt: prompt())
            if firstPrompt {
                firstPrompt = false
                onFirstPrompt()
            }
            switch await line {
            case .line(let text):
                if !text.allSatisfy(\.isWhitespace) {
                    // The history file keeps the line, with any secret in it as `***`.
                    let hmp = state.withLock { $0.hmpMode } && !text.drop(while: \.isWhitespace).hasPrefix(".")
                    editor.addHistory(Redaction.redactLine(text, hmpMode: hmp))
                }
                switch await handle(text) {
                case .proceed: continue
                case .quit: return Self.exitSuccess
                case .monitorGone: continue
                }
            case .interrupted:
                dropTransaction(because: "interrupted")
                continue
            case .woken:
                continue
            case .endOfInput:
                dropTransaction(because: "the input ended before its `)`")
                return Self.exitSuccess
            }
        }
    }

    /// What happened to one line.
    enum Outcome {
        case proceed
        case quit
        /// The monitor went away; the loop reports it and ends.
        case monitorGone
    }

    /// The message for the current monitor if it went away.
    func currentLoss() -> String? {
        state.withLock { state in
            state.lost[state.current].map { reason in
                "QEMU went away (\(sessions[state.current].label): \(reason)); leaving the shell."
            }
        }
    }

    /// Marks monitor `index` as gone; wakes the prompt when it is the current one.
    func markLost(_ index: Int, reason: String) {
        let isCurrent = state.withLock { state -> Bool in
            if state.lost[index] == nil { state.lost[index] = reason }
            return state.current == index
        }
        if isCurrent {
            editor.wake()
        } else {
            print("# monitor \(index + 1) (\(sessions[index].label)) went away: \(reason)\n", to: .error)
        }
    }

    /// The prompt: `(qmp qmp.sock) `, `(hmp 2:web.sock) ` in HMP mode or with several monitors, `(hmp qmp.sock
    /// cpu 1) ` after `cpu 1`, `TRANS> ` inside a transaction block (as in qmp-shell).
    func prompt() -> String {
        let (index, hmp, cpu, inTransaction) = state.withLock {
            ($0.current, $0.hmpMode, $0.cpuIndex[$0.current], $0.transaction != nil)
        }
        if inTransaction { return "TRANS> " }
        if state.withLock({ $0.droppingTransaction }) { return "TRANS (dropped, skipping to ')')> " }
        let session = sessions[index]
        let mode = hmp || !session.speaksQMP ? "hmp" : "qmp"
        let number = sessions.count > 1 ? "\(index + 1):" : ""
        return "(\(mode) \(number)\(session.shortLabel)\(cpu.map { " cpu \($0)" } ?? "")) "
    }

    /// Remembers that a line failed, for ``Options/checksFailures`` (the first failure decides the status).
    func noteFailure(_ status: Int32) {
        state.withLock { if $0.firstFailure == nil { $0.firstFailure = status } }
    }

    func print(_ text: String, to stream: LineEditorStream = .output) {
        guard !text.isEmpty else { return }
        // Replies, errors and events come from QEMU or a peer: no control character reaches the terminal.
        let safe = TerminalText.escaped(text)
        editor.write(safe.hasSuffix("\n") ? safe : safe + "\n", to: stream)
    }
}

extension MonitorSession {
    /// The label without a `unix:` prefix and folders: `/run/vm/qmp.sock` → `qmp.sock`; other schemes as given.
    var shortLabel: String {
        var label = Substring(label)
        for prefix in ["unix:", "hmp:"] where label.hasPrefix(prefix) { label = label.dropFirst(prefix.count) }
        if label.hasPrefix("/") || label.hasPrefix("."), let slash = label.lastIndex(of: "/") {
            let name = label[label.index(after: slash)...]
            if !name.isEmpty { return String(name) }
        }
        return String(label)
    }
}
