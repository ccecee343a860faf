import HMP
import LineEditing
import QMP
import QMPSchema

extension MonitorREPL {
    /// Runs one line: a shell command, or a command for the current monitor. Ctrl-C while the monitor has not
    /// answered (the schema for validation, or the command's reply) stops waiting.
    func handle(_ line: String) async -> Outcome {
        let text = line.trimmingWhitespace
        if text.isEmpty || text.hasPrefix("#") { return .proceed }
        if text.hasPrefix(".") { return await runShellCommand(text) }
        do {
            return try await interruptible { await self.runMonitorLine(text) } ?? .proceed
        } catch {
            return .proceed
        }
    }

    private func runMonitorLine(_ text: String) async -> Outcome {
        let (index, hmpMode) = state.withLock { ($0.current, $0.hmpMode) }
        let session = sessions[index]
        if hmpMode || !session.speaksQMP {
            var command = text
            // `!info` and `hmp info` mean the same in HMP mode.
            if command.hasPrefix("!") { command = String(command.dropFirst()).trimmingWhitespace }
            return await runHMP(command, on: index, recordAs: "hmp " + command)
        }
        let input: MonitorInput
        do {
            input = try MonitorInput.parse(text)
        } catch {
            print(ErrorReport(error).line, to: .error)
            return .proceed
        }
        switch input {
        case .empty:
            return .proceed
        case .hmp(let command):
            return await runHMP(command, on: index, recordAs: "hmp " + command)
        case .command(let name, let arguments):
            guard await passesValidation(name, arguments, on: index) else { return .proceed }
            return await runQMP(name, arguments: arguments.isEmpty ? nil : .object(arguments), on: index, recordAs: text)
        case .raw(let request):
            let outOfBand = request["exec-oob"] != nil
            let name = (request["execute"] ?? request["exec-oob"])?.stringValue ?? ""
            if let arguments = request["arguments"]?.objectValue,
                !(await passesValidation(name, arguments, on: index))
            {
                return .proceed
            }
            return await runQMP(
                name, arguments: request["arguments"], id: request["id"], outOfBand: outOfBand, on: index, recordAs: text)
        }
    }

    /// Checks a command against the live schema; prints warnings and the first error. A monitor without a schema
    /// lets everything through.
    func passesValidation(_ name: String, _ arguments: JSONObject, on index: Int) async -> Bool {
        let session = sessions[index]
        guard let live = session.live, let schema = try? await session.schema() else { return true }
        let report = await live.validate(command: name, arguments: arguments, schema: schema)
        for warning in report.warnings { print("Warning: \(warning)", to: .error) }
        if let error = report.errors.first {
            print("ValidationError: \(error)", to: .error)
            return false
        }
        return true
    }

    func runQMP(
        _ name: String, arguments: JSON?, id: JSON? = nil, outOfBand: Bool = false, on index: Int, recordAs line: String
    ) async -> Outcome {
        guard let client = sessions[index].client else { return .proceed }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let reply = try await client.execute(
                name, arguments: arguments, id: id, outOfBand: outOfBand, timeout: options.commandTimeout)
            let elapsed = clock.now - start
            let (pretty, timing, recorder) = state.withLock { ($0.pretty, $0.timing, $0.recorder) }
            print(reply.serialized(pretty: pretty))
            if timing { print(Self.timingText(elapsed)) }
            recorder?.recordCommand(line, reply: reply.serialized(pretty: false))
            return .proceed
        } catch {
            return failed(error, on: index, line: line, start: start)
        }
    }

    func runHMP(_ command: String, on index: Int, recordAs line: String) async -> Outcome {
        guard !command.isEmpty else { return .proceed }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let text = try await sessions[index].humanMonitor.run(command, timeout: options.commandTimeout)
            let elapsed = clock.now - start
            let (timing, recorder) = state.withLock { ($0.timing, $0.recorder) }
            let output = text.withPlainLineBreaks
            print(output)
            if timing { print(Self.timingText(elapsed)) }
            recorder?.recordCommand(line, reply: output)
            return .proceed
        } catch {
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
    private func failed(_ error: any Error, on index: Int, line: String, start: ContinuousClock.Instant) -> Outcome {
        let recorder = state.withLock { $0.recorder }
        if error is CancellationError { return .proceed }  // Ctrl-C: `interruptible` has said so.
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

