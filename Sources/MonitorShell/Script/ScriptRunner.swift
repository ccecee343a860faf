public import QEMURunner
public import GuestAgent
import QMP
public import QMPSchema
import QMPWire
import HMP

/// Runs a parsed ``Script`` on one monitor, statement by statement.
///
/// - Commands run in order; each return (or HMP text) becomes `$_`, which `expect` looks at. A matched `wait`
///   makes the event (`{"event", "data", "timestamp"}`) `$_`, and a passing `expect-error` the error
///   (`{"class", "desc"}`).
/// - `wait` counts the events that arrived since the previous command was sent (or since the event the previous
///   `wait` matched, if that came later), so an event that comes before the wait starts is not missed, and two
///   waits for the same event match two different events.
/// - The first failure stops the run unless ``Options/keepGoing``; a monitor that goes away always stops it.
///
/// A failed statement is a result, not a thrown error: ``run(report:)`` returns a ``ScriptSummary``.
public struct ScriptRunner: Sendable {
    /// How a run behaves on failures, which time limit applies, and whether events are reported.
    public struct Options: Sendable {
        /// Go on after a failed statement (a lost monitor still stops the run).
        public var keepGoing = false
        /// Time limit for commands, and for `wait` / `console-expect` without `timeout=`.
        public var timeout: Duration = .seconds(30)
        /// Report every event the monitor sends (for `--json`), between statements, in arrival order.
        public var reportsEvents = false
        /// For a monitor on this machine: relative file names in commands, raw JSON lines and HMP lines are resolved
        /// against this folder before they are sent, as the shell does (``LocalPaths``). `nil` sends them as written.
        public var localPaths: LocalPaths?
        /// The schema the script was checked against when the session holds none (a slice from the disk cache,
        /// ``ScriptValidator/cachedSchema``): its booleans turn `yes/no/on/off` arguments into `true`/`false`.
        public var schema: QAPISchema?

        /// The defaults: stop at the first failure, 30 s limit, no event reports.
        public init() {}
    }

    /// The script to run.
    public let script: Script
    /// The monitor the commands go to.
    public let session: MonitorSession
    /// The guest's serial console for `console-expect` and `console-send`; nil when the guest has none.
    public let console: SerialConsole?
    /// How the run behaves.
    public let options: Options
    /// The guest agent for `guest-exec` and `guest-wait-device`, if there is one.
    public let agent: (any GuestAgentConnection)?

    /// A runner of `script` on `session`, with the console and agent a guest offers, if any.
    public init(
        script: Script, session: MonitorSession, console: SerialConsole? = nil, options: Options = Options(),
        agent: (any GuestAgentConnection)? = nil
    ) {
        self.script = script
        self.session = session
        self.console = console
        self.options = options
        self.agent = agent
    }

    /// Runs the script; `report` is called (on the running task) for each statement as it finishes and for each
    /// event when ``Options/reportsEvents`` is set.
    public func run(report: (ScriptReport) -> Void = { _ in }) async -> ScriptSummary {
        if let client = session.client {
            return await client.withAffinity { await runStatements(report: report) }
        }
        return await runStatements(report: report)
    }

    // The three below run in their caller's isolation (`nonisolated(nonsending)`): inside `withAffinity` that is the
    // client's I/O thread, and a call then needs no executor switch (each took the task's status lock; callgrind).
    private nonisolated(nonsending) func runStatements(report: (ScriptReport) -> Void) async -> ScriptSummary {
        let clock = ContinuousClock()
        let started = clock.now
        var state = RunState()
        var summary = ScriptSummary(monitor: session.label, file: script.file)
        var eventCursor = session.client?.eventCursor() ?? EventCursor(sequence: 0)
        for statement in script.statements {
            if Task.isCancelled {
                summary.stop = .cancelled
                break
            }
            let begin = clock.now
            let outcome = await execute(statement, state: &state)
            let elapsed = clock.now - begin
            if options.reportsEvents, let client = session.client {
                for event in client.recentEvents(after: eventCursor) {
                    report(.event(event))
                    eventCursor = EventCursor(sequence: event.sequence)
                }
            }
            let result = StatementResult(statement: statement, outcome: outcome, elapsed: elapsed)
            summary.record(result)
            report(.statement(result))
            if case .failed(let failure) = outcome {
                if failure.monitorGone {
                    summary.stop = .monitorGone
                    break
                }
                if !options.keepGoing {
                    summary.stop = .failed
                    break
                }
            }
        }
        summary.elapsed = clock.now - started
        return summary
    }

    /// What the run carries from statement to statement.
    struct RunState {
        var last: JSON = .null
        /// Events after this count for the next `wait`.
        var waitCursor = EventCursor(sequence: 0)
        /// The CPU HMP commands address after `hmp cpu N`.
        var cpuIndex: Int?
        /// The text of the last `console-send` not yet followed by a `console-expect`: that expect must not match
        /// the guest's echo of it.
        var unansweredSend: String?
    }

    private nonisolated(nonsending) func execute(_ statement: ScriptStatement, state: inout RunState) async -> StatementOutcome {
        do {
            switch statement.kind {
            case .command(let input, _):
                let value = try await send(input, state: &state)
                state.last = value
                return .returned(value)
            case .expectError(let expected, let input, _):
                do {
                    let value = try await send(input, state: &state)
                    return .failed(ScriptFailure(
                        errorClass: "ExpectationFailed",
                        message: "expected the command to fail with \(expected), but it succeeded: \(value.abbreviated)"))
                } catch let error as QMPError {
                    state.last = .object(JSONObject([("class", .string(error.errorClass.rawValue)), ("desc", .string(error.message))]))
                    guard error.errorClass.rawValue == expected else {
                        return .failed(ScriptFailure(
                            errorClass: "ExpectationFailed", message: "expected \(expected), got \(error.errorClass.rawValue): \(error.message)"))
                    }
                    return .passed(state.last)
                } catch let error as HMPError {
                    state.last = .object(JSONObject([("class", .string("HMPError")), ("desc", .string(error.message))]))
                    guard expected == "HMPError" || expected == "GenericError" else {
                        return .failed(ScriptFailure(errorClass: "ExpectationFailed", message: "expected \(expected), got HMPError: \(error.message)"))
                    }
                    return .passed(state.last)
                }
            case .expect(let expectation):
                if let failure = Self.check(expectation, on: state.last) {
                    return .failed(ScriptFailure(errorClass: "ExpectationFailed", message: failure))
                }
                return .passed(nil)
            case .wait(let name, let matching, let timeout):
                guard let client = session.client else {
                    return .failed(ScriptFailure(errorClass: "UsageError", message: "\(session.label) sends no events"))
                }
                let filter = QMPEventFilter(names: [name]) { event in
                    matching.allSatisfy { item in event.data.value(atDottedPath: item.path)?.looselyEquals(item.value) ?? false }
                }
                let event = try await client.waitForEvent(filter, since: .cursor(state.waitCursor), timeout: timeout ?? options.timeout)
                state.waitCursor = max(state.waitCursor, EventCursor(sequence: event.sequence))
                state.last = event.json
                return .passed(event.json)
            case .consoleExpect(let text, let isRegex, let timeout):
                guard let console else { return .failed(ScriptFailure(errorClass: "UsageError", message: "no guest console")) }
                let limit = timeout ?? options.timeout
                let echo = state.unansweredSend
                state.unansweredSend = nil
                do {
                    let found = isRegex
                        ? try await console.expect(regex: text, timeout: limit, skippingEcho: echo)
                        : try await console.expect(text, timeout: limit, skippingEcho: echo)
                    return .passed(.string(found))
                } catch let error as RunnerError where error.code == .timedOut {
                    let lines = console.lastLines(10)
                    return .failed(ScriptFailure(
                        errorClass: "ConsoleError",
                        message: error.message + (lines.isEmpty ? " (the console printed nothing)" : "; its last lines:\n" + lines.joined(separator: "\n"))))
                }
            case .consoleSend(let text):
                guard let console else { return .failed(ScriptFailure(errorClass: "UsageError", message: "no guest console")) }
                try console.send(text)
                state.unansweredSend = text
                return .passed(nil)
            case .set:
                return .passed(nil)
            case .sleep(let duration):
                try await Task.sleep(for: duration)
                return .passed(nil)
            case .guestExec, .guestWaitDevice:
                return try await executeAgentStatement(statement.kind, state: &state)
            case .jobWait, .migrateWait:  // issue 17: ScriptRunner+Jobs.swift
                return try await runLongOperation(statement.kind, state: &state)
            }
        } catch {
            return .failed(ScriptFailure(await DeviceListing.explaining(error, client: session.client)))
        }
    }

    /// Sends one monitor input; returns its value (HMP text as a string).
    private nonisolated(nonsending) func send(_ input: MonitorInput, state: inout RunState) async throws -> JSON {
        if let client = session.client { state.waitCursor = client.eventCursor() }
        switch input {
        case .command(let name, let arguments):
            guard let client = session.client else { throw QMPUsageError.notQMP(session.label) }
            // No arguments: nothing to coerce or resolve, and a request without `arguments` (which QEMU reads as
            // `{}`) lets the client reuse the bytes of the same command sent before (issue 14: a script of many
            // `query-status` lines).
            if arguments.isEmpty { return try await client.execute(name, timeout: options.timeout) }
            // `yes/no/on/off` where the schema wants a boolean (only with a schema the validator already fetched).
            var typed = (session.cachedSchema ?? options.schema)?.coercingBooleans(command: name, arguments: arguments) ?? arguments
            if let paths = options.localPaths { typed = paths.resolving(command: name, arguments: typed) }
            return try await client.execute(name, arguments: .object(typed), timeout: options.timeout)
        case .raw(let object):
            guard let client = session.client else { throw QMPUsageError.notQMP(session.label) }
            let name = object["execute"]?.stringValue ?? object["exec-oob"]?.stringValue ?? ""
            var arguments = object["arguments"] ?? .object([:])
            if let paths = options.localPaths, let given = arguments.objectValue {
                arguments = .object(paths.resolving(command: name, arguments: given))
            }
            return try await client.execute(name, arguments: arguments, timeout: options.timeout)
        case .hmp(let line):
            let selected = MonitorSession.selectedCPU(in: line)
            let sent = options.localPaths?.resolvingHMP(line) ?? line
            let text = try await session.runHMP(sent, cpuIndex: selected ?? state.cpuIndex, timeout: options.timeout)
            if let selected, text.trimmingWhitespace.isEmpty { state.cpuIndex = selected }
            return .string(text)
        case .empty:
            return state.last
        }
    }

    /// `nil` when the expectation holds, otherwise what went wrong.
    static func check(_ expectation: ScriptExpectation, on value: JSON) -> String? {
        let path = expectation.path.description
        guard let actual = expectation.path.evaluate(value) else {
            return "\(path) is not in the last result (\(value.abbreviated))"
        }
        let expected = expectation.value
        let holds: Bool
        switch expectation.op {
        case .truthy:
            if actual == .null || actual == .bool(false) { return "\(path) is \(actual.abbreviated)" }
            return nil
        case .equal: holds = actual.looselyEquals(expected)
        case .notEqual: holds = !actual.looselyEquals(expected)
        case .contains: holds = actual.contains(expected)
        case .notContains: holds = !actual.contains(expected)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let a = actual.numericValue, let b = expected.numericValue else {
                return "\(path) is \(actual.abbreviated), not a number"
            }
            switch expectation.op {
            case .less: holds = a < b
            case .lessOrEqual: holds = a <= b
            case .greater: holds = a > b
            default: holds = a >= b
            }
        case .matches:
            // LinearRegex: linear in the text, so a reply cannot make this statement run for ever.
            guard case .string(let text) = actual, case .string(let pattern) = expected, let regex = try? LinearRegex(pattern) else {
                return "\(path) is \(actual.abbreviated), not a string"
            }
            holds = regex.matches(in: text)
        }
        return holds ? nil : "expected \(path) \(expectation.op.rawValue) \(expected.abbreviated), got \(actual.abbreviated)"
    }
}

extension QMPUsageError {
    static func notQMP(_ label: String) -> QMPUsageError {
        QMPUsageError("\(label) is a human monitor: it takes HMP commands only")
    }
}

extension JSON {
    /// The value as compact JSON, cut to about 200 characters for messages.
    var abbreviated: String {
        let text = serialized()
        return text.count > 200 ? String(text.prefix(197)) + "..." : text
    }
}
