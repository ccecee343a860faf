import LineEditing
import QMP
import QMPSchema

extension MonitorREPL {
    /// The shell's own commands, with their arguments and what they do (for `.help` and completion).
    static let shellCommands: [(name: String, arguments: String, summary: String)] = [
        (".help", "[COMMAND]", "this list, or the arguments of a monitor command from the live schema"),
        (".events", "[on|off|filter [NAME...]]", "show events as they arrive; filter by name (DEVICE_* allowed)"),
        (".pretty", "on|off", "print replies indented over several lines"),
        (".time", "on|off", "print how long each command took"),
        (".hmp", "on|off", "treat every line as a human-monitor (HMP) command"),
        (".use", "[N]", "switch to monitor N (as numbered on the command line); without N, list them"),
        (".record", "FILE|off", "write what you type, with replies as comments, as a script for qmpsh run"),
        (".jobs", "[on|off]", "list the jobs with their progress; on|off: live progress lines above the prompt"),
        (".quit", "", "leave the shell (also Ctrl-D)"),
    ] + guestCommands

    func runShellCommand(_ text: String) async -> Outcome {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let name = words[0]
        let arguments = Array(words.dropFirst())
        switch name {
        case ".quit", ".exit", ".q":
            return .quit
        case ".help", ".h":
            await help(arguments.first)
        case ".events":
            events(arguments)
        case ".pretty":
            toggle(name, arguments, \.pretty)
        case ".time":
            toggle(name, arguments, \.timing)
        case ".hmp":
            toggle(name, arguments, \.hmpMode)
        case ".use":
            use(arguments)
        case ".record":
            record(arguments)
        case ".jobs":  // issue 17: MonitorREPL+Jobs.swift
            await jobs(arguments)
        case ".console", ".screenshot", ".type", ".key":
            return await runGuestCommand(name, rest: String(text.drop { !$0.isWhitespace }))
        default:
            let names = Self.shellCommands.map(\.name)
            let hint = Suggestion.closest(to: name, in: names).map { " — did you mean '\($0)'?" } ?? " (.help lists them)"
            print("UsageError: unknown shell command '\(name)'\(hint)", to: .error)
        }
        return .proceed
    }

    private func toggle(_ name: String, _ arguments: [String], _ key: WritableKeyPath<State, Bool>) {
        switch arguments.first {
        case "on"?, "off"?:
            state.withLock { $0[keyPath: key] = arguments.first == "on" }
        case nil:
            break
        default:
            print("UsageError: \(name) on|off", to: .error)
            return
        }
        print("# \(name.dropFirst()) \(state.withLock { $0[keyPath: key] } ? "on" : "off")")
    }

    // MARK: - .help

    private func help(_ topic: String?) async {
        guard let topic else {
            var text = "Shell commands:\n"
            let width = Self.shellCommands.map { $0.name.count + $0.arguments.count + 1 }.max() ?? 0
            for command in Self.shellCommands {
                let head = command.arguments.isEmpty ? command.name : command.name + " " + command.arguments
                text += "  " + head + String(repeating: " ", count: width - head.count + 2) + command.summary + "\n"
            }
            text += """
                Monitor input:
                  COMMAND key=value ...    a QMP command; values that parse as JSON are JSON, quotes allow spaces,
                                           dotted keys nest (file.driver=file)
                  {"execute": ...}         a raw QMP request
                  hmp LINE  or  !LINE      a human-monitor command
                  transaction(             actions, one per line or ';'-separated, up to ')': sent as one
                                           QMP transaction (.help transaction lists the actions)
                  cpu N                    (HMP) later HMP commands on this monitor address CPU N
                Tab completes commands, arguments and values; a second Tab lists the candidates. Ctrl-R searches
                the history, Ctrl-C clears the line, Ctrl-D leaves.
                """
            print(text)
            return
        }
        if topic == "transaction" || topic == TransactionBlock.opening {
            await transactionHelp()
            return
        }
        if let command = Self.shellCommands.first(where: { $0.name == topic || $0.name == "." + topic }) {
            print("\(command.name) \(command.arguments)\n  \(command.summary)")
            return
        }
        let (index, hmpMode) = state.withLock { ($0.current, $0.hmpMode) }
        let session = sessions[index]
        if hmpMode || !session.speaksQMP {
            _ = await runHMP("help " + topic, on: index, recordAs: "hmp help " + topic)
            return
        }
        guard let schema = try? await session.schema() else {
            print("# the monitor gives no schema; try: hmp help \(topic)", to: .error)
            return
        }
        if let signature = schema.signature(ofCommand: topic) {
            print(signature)
        } else if let signature = schema.signature(ofEvent: topic) {
            print("event " + signature)
        } else {
            let hint = Suggestion.closest(to: topic, in: schema.commandNames).map { " — did you mean '\($0)'?" } ?? ""
            print("UsageError: no command '\(topic)'\(hint)", to: .error)
        }
    }

    // MARK: - .events

    private func events(_ arguments: [String]) {
        switch arguments.first {
        case nil:
            break
        case "on", "off":
            state.withLock { $0.showEvents = arguments.first == "on" }
        case "filter":
            state.withLock {
                $0.eventFilter = arguments.dropFirst().map { $0.uppercased() }
                $0.showEvents = true
            }
        default:
            print("UsageError: .events on|off|filter [NAME...]", to: .error)
            return
        }
        let (shown, filter) = state.withLock { ($0.showEvents, $0.eventFilter) }
        print("# events \(shown ? "on" : "off")" + (filter.isEmpty ? "" : ", only " + filter.joined(separator: " ")))
    }

    // MARK: - .use

    private func use(_ arguments: [String]) {
        guard let argument = arguments.first else {
            let (current, lost) = state.withLock { ($0.current, $0.lost) }
            var text = ""
            for (index, session) in sessions.enumerated() {
                text += "\(index == current ? "*" : " ") \(index + 1) \(session.label)"
                    + (session.speaksQMP ? "" : " (HMP)") + (lost[index] != nil ? " (gone)" : "") + "\n"
            }
            print(text)
            return
        }
        guard let number = Int(argument), sessions.indices.contains(number - 1) else {
            print("UsageError: .use N, with N from 1 to \(sessions.count)", to: .error)
            return
        }
        if let reason = state.withLock({ $0.lost[number - 1] }) {
            print("UsageError: monitor \(number) went away (\(reason))", to: .error)
            return
        }
        let recorder = state.withLock { state in
            state.current = number - 1
            return state.recorder
        }
        recorder?.note(".use \(number): the following commands went to \(sessions[number - 1].label)")
        print("# now on \(number): \(sessions[number - 1].label)")
    }

    // MARK: - .record

    private func record(_ arguments: [String]) {
        guard let argument = arguments.first else {
            let path = state.withLock { $0.recorder?.path }
            print(path.map { "# recording to \($0)" } ?? "# not recording")
            return
        }
        let previous = state.withLock { state in
            defer { state.recorder = nil }
            return state.recorder
        }
        previous?.finish()
        if argument == "off" {
            if let previous { print("# recording ended: \(previous.path)") }
            return
        }
        let index = state.withLock { $0.current }
        do {
            let recorder = try ScriptRecorder(
                path: argument,
                header: "Recorded with qmpsh shell on \(sessions[index].label).\nReplay: qmpsh run \(argument) --monitor MONITOR")
            state.withLock { $0.recorder = recorder }
            print("# recording to \(argument) (.record off to stop)")
        } catch {
            print("Error: \(error.message)", to: .error)
        }
    }
}
