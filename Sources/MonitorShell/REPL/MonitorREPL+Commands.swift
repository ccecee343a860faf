import HMP
import LineEditing
import QMP
import QMPSchema

extension MonitorREPL {
    /// Runs one line: a shell command, or a command for the current monitor. Ctrl-C while the monitor has not
    /// answered (the schema for validation, or the command's reply) stops waiting.
    func handle(_ line: String) async -> Outcome {
        let text = line.trimmingWhitespace
        if state.withLock({ $0.transaction != nil }) { return await continueTransaction(line) }
        if state.withLock({ $0.droppingTransaction }) { return skipDroppedTransaction(line) }
        if text.isEmpty || text.hasPrefix("#") { return .proceed }
        if text.hasPrefix(".") { return await runShellCommand(text) }
        let (index, hmpMode) = state.withLock { ($0.current, $0.hmpMode) }
        if !hmpMode, sessions[index].speaksQMP, TransactionBlock.opens(text) { return await startTransaction(text) }
        do {
            return try await interruptible { await self.runMonitorLine(text) } ?? .proceed
        } catch {
            return .proceed
        }
    }

    private func runMonitorLine(_ text: String) async -> Outcome {
        let (index, hmpMode) = state.withLock { ($0.current, $0.hmpMode) }
        let session = sessions[index]
        if let agent = session.agent { return await runAgentLine(text, agent: agent, on: index) }  // issue 16
        if hmpMode || !session.speaksQMP {
            var command = text
            // `!info` and `hmp info` mean the same in HMP mode.
            if command.hasPrefix("!") {
                command = String(command.dropFirst()).trimmingWhitespace
            } else if command.hasPrefix("hmp"), command.dropFirst(3).first?.isWhitespace == true {
                command = String(command.dropFirst(3)).trimmingWhitespace
            }
            return await runHMP(command, on: index, recordAs: "hmp " + command)
        }
        let input: MonitorInput
        do {
            input = try MonitorInput.parse(text)
        } catch {
            print(ErrorReport(error).line, to: .error)
            noteFailure(Self.exitBadInput)
            return .proceed
        }
        switch input {
        case .empty:
            return .proceed
        case .hmp(let command):
            return await runHMP(command, on: index, recordAs: "hmp " + command)
        case .command(let name, let arguments):
            guard var arguments = await validated(name, arguments, on: index) else { return .proceed }
            // A relative file name means the user's folder, not QEMU's (issue 15).
            if let paths = LocalPaths.forMonitor(session.label) { arguments = paths.resolving(command: name, arguments: arguments) }
            return await runQMP(name, arguments: arguments.isEmpty ? nil : .object(arguments), on: index, recordAs: text)
        case .raw(let request):
            let outOfBand = request["exec-oob"] != nil
            let name = (request["execute"] ?? request["exec-oob"])?.stringValue ?? ""
            var arguments = request["arguments"]
            if let given = arguments?.objectValue {
                if await validated(name, given, on: index, coercing: false) == nil { return .proceed }
                // Raw JSON lines too: a relative file name means the user's folder (issue 15).
                if let paths = LocalPaths.forMonitor(session.label) {
                    arguments = .object(paths.resolving(command: name, arguments: given))
                }
            }
            return await runQMP(
                name, arguments: arguments, id: request["id"], outOfBand: outOfBand, on: index, recordAs: text)
        }
    }

    /// Checks a command against the live schema; prints warnings and the first error, and returns `nil` when the
    /// command must not be sent. Otherwise returns the arguments to send: with `coercing`, a typed `yes/no/on/off`
    /// where the schema wants a boolean becomes that boolean. A monitor without a schema is asked for it once,
    /// then lets everything through (and the user is told so once).
    func validated(
        _ name: String, _ arguments: JSONObject, on index: Int, coercing: Bool = true,
        describe: (SchemaValidationError) -> String = { "\($0)" }
    ) async -> JSONObject? {
        let session = sessions[index]
        guard let live = session.live else { return arguments }
        guard let schema = try? await session.schema() else {
            if let reason = session.schemaUnavailableReason,
                state.withLock({ $0.toldNoSchema.insert(index).inserted })
            {
                print("# not validating commands: \(session.label) gives no schema (\(reason))", to: .error)
            }
            return arguments
        }
        let typed = coercing ? schema.coercingBooleans(command: name, arguments: arguments) : arguments
        let report = await live.validate(command: name, arguments: typed, schema: schema)
        for warning in report.warnings { print("Warning: \(warning)", to: .error) }
        if let error = report.errors.first {
            print("ValidationError: \(describe(error))", to: .error)
            noteFailure(Self.exitBadInput)
            return nil
        }
        return typed
    }

    /// Sends a QMP command and prints its reply. `recordFailureAs` is the line `.record` writes after
    /// `expect-error CLASS` when it fails (default: `line`). A `quit` that QEMU obeys ends the shell with 0.
    func runQMP(
        _ name: String, arguments: JSON?, id: JSON? = nil, outOfBand: Bool = false, on index: Int, recordAs line: String,
        recordFailureAs failureLine: String? = nil
    ) async -> Outcome {
        guard let client = sessions[index].client else { return .proceed }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let reply = try await client.execute(
                name, arguments: arguments, id: id, outOfBand: outOfBand, timeout: options.commandTimeout)
            showReply(reply, elapsed: clock.now - start, line: line, command: name, arguments: arguments)
            return name == "quit" ? .quit : .proceed
        } catch let error as QMPConnectionError where name == "quit" && error.code != .noGreeting {
            // QEMU may close the connection before its reply to `quit` is read: the user asked for exactly that.
            return .quit
        } catch {
            let error = await DeviceListing.explaining(error, client: client)
            return failed(error, on: index, line: failureLine ?? line, start: start)
        }
    }

    /// Prints a JSON reply (pretty when asked), its time when `.time on`, and records it with its secrets hidden
    /// (the whole reply of a command that reads a secret).
    func showReply(_ reply: JSON, elapsed: Duration, line: String, command: String, arguments: JSON?) {
        let (pretty, timing, recorder) = state.withLock { ($0.pretty, $0.timing, $0.recorder) }
        print(reply.serialized(pretty: pretty))
        if timing { print(Self.timingText(elapsed)) }
        guard let recorder else { return }
        let recorded = Redaction.readsSecret(command: command, arguments: arguments)
            ? JSON.string(Redaction.linePlaceholder) : Redaction.redact(reply, placeholder: Redaction.linePlaceholder)
        recorder.recordCommand(line, reply: recorded.serialized(pretty: false))
    }

    func runHMP(_ command: String, on index: Int, recordAs line: String) async -> Outcome {
        guard !command.isEmpty else { return .proceed }
        let words = command.split(whereSeparator: \.isWhitespace)
        let quits = words.count == 1 && (words[0] == "quit" || words[0] == "q")
        // `cpu N`, as in QEMU's own monitor: later HMP commands on this monitor address CPU N.
        let selectedCPU = MonitorSession.selectedCPU(in: command)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let cpu = selectedCPU ?? state.withLock { $0.cpuIndex[index] }
            // A relative file name means the user's folder, not QEMU's (issue 15).
            let sent = LocalPaths.forMonitor(sessions[index].label)?.resolvingHMP(command) ?? command
            let text = try await sessions[index].runHMP(sent, cpuIndex: cpu, timeout: options.commandTimeout)
            // QEMU's `cpu` prints nothing when it switched, an error otherwise.
            if let selectedCPU, text.trimmingWhitespace.isEmpty { state.withLock { $0.cpuIndex[index] = selectedCPU } }
            if quits { return .quit }
            let elapsed = clock.now - start
            let (timing, recorder) = state.withLock { ($0.timing, $0.recorder) }
            let output = text.withPlainLineBreaks
            print(output)
            if timing { print(Self.timingText(elapsed)) }
            recorder?.recordCommand(line, reply: output)
            return .proceed
        } catch let error as QMPConnectionError where quits && error.code != .noGreeting {
            return .quit
        } catch {
            let error = await DeviceListing.explaining(error, client: sessions[index].client)
            return failed(error, on: index, line: line, start: start)
        }
    }

    /// Runs `body` until it finishes or the user presses Ctrl-C; `nil` (and a note) when interrupted. The
    /// client drops the reply if it comes later.
    func interruptible<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result? {
        let result = try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body() }
            group.addTask { [editor] in
                await editor.waitForInterrupt()
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        if result == nil {
            print("Interrupted: no longer waiting for the reply (QEMU may still carry the command out)", to: .error)
        }
        return result
    }

    /// Prints a failure in one line with its class; a lost connection ends the shell.
    func failed(_ error: any Error, on index: Int, line: String, start: ContinuousClock.Instant) -> Outcome {
        let recorder = state.withLock { $0.recorder }
        if error is CancellationError { return .proceed }  // Ctrl-C: `interruptible` has said so.
        noteFailure(Self.exitCommandFailed)
        let report = ErrorReport(error)
        if let error = error as? QMPConnectionError, error.code != .noGreeting {
            markLost(index, reason: error.message)
            return .monitorGone
        }
        print(report.line, to: .error)
        switch error {
        case let error as QMPError: recorder?.recordFailure(line, errorClass: error.errorClass.rawValue, message: report.line)
        case is HMPError: recorder?.recordFailure(line, errorClass: nil, message: report.message)
        case is QMPTimeoutError: recorder?.recordFailure(line, errorClass: nil, message: report.line)
        default: break
        }
        if state.withLock({ $0.timing }) { print(Self.timingText(ContinuousClock.now - start)) }
        return .proceed
    }

    static func timingText(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        let rounded = (milliseconds * 100).rounded() / 100
        return "# \(rounded) ms"
    }
}

extension String {
    /// QEMU's HMP text ends lines with `\r\n`; printed with plain `\n`.
    var withPlainLineBreaks: String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for scalar in unicodeScalars where scalar != "\r" { result.unicodeScalars.append(scalar) }
        return result
    }
}

