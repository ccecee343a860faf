import GuestAgent
import LineEditing
import QMP

// Guest agent sessions in the shell (issue 16): `.use N` switches to an agent like to any monitor; lines are agent
// commands in the same `NAME key=value` (or raw JSON) syntax, and completion offers guest-info's commands.
extension MonitorREPL {
    func runAgentLine(_ text: String, agent: any GuestAgentConnection, on index: Int) async -> Outcome {
        let input: MonitorInput
        do {
            input = try MonitorInput.parse(text)
        } catch {
            print("SyntaxError: \(error.message) (column \(error.column))", to: .error)
            return .proceed
        }
        let name: String
        let arguments: JSONObject?
        switch input {
        case .empty: return .proceed
        case .hmp:
            print("UsageError: \(sessions[index].label) is a guest agent: it has no human monitor", to: .error)
            return .proceed
        case .command(let command, let given):
            (name, arguments) = (command, given)
        case .raw(let request):
            (name, arguments) = ((request["execute"] ?? request["exec-oob"])?.stringValue ?? "", request["arguments"]?.objectValue)
        }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let reply = try await agent.execute(name, arguments: arguments, timeout: options.commandTimeout)
            showReply(reply, elapsed: clock.now - start, line: text, command: name, arguments: arguments.map(JSON.object))
            return .proceed
        } catch {
            return failed(error, on: index, line: text, start: start)
        }
    }

    /// Command names for the first word, from `guest-info` (asked once per session).
    func agentCompletion(_ text: String, agent: any GuestAgentConnection, on index: Int) async -> LineCompletion {
        let word = Self.lastWord(text)
        guard !text.contains(where: \.isWhitespace) else { return LineCompletion(word: word, candidates: []) }
        var names = state.withLock { $0.agentCommands[index] }
        if names == nil, let info = try? await agent.info(timeout: .seconds(5)) {
            names = info.enabledCommandNames
            state.withLock { $0.agentCommands[index] = names }
        }
        return LineCompletion(word: word, candidates: (names ?? []).filter { $0.hasPrefix(word) })
    }
}
