import GuestAgent
import QMP
import QMPWire

// The guest agent statements (issue 16), kept apart from the core language:
//   guest-exec "CMD" [expect-exit=N] [expect-stdout=TEXT] [timeout=S]
//   guest-wait-device disk|nic ID [timeout=S]
extension ScriptParser {
    /// Keywords of the statements that talk to the guest agent.
    public static let agentKeywords: Set<String> = ["guest-exec", "guest-wait-device"]

    static func agentStatement(_ keyword: String, _ text: String) throws(MonitorSyntaxError) -> ScriptStatement.Kind {
        let characters = Array(text)
        var end = 0
        while end < characters.count, characters[end].isSpace { end += 1 }
        while end < characters.count, !characters[end].isSpace { end += 1 }
        let words = try MonitorWord.split(text, from: end)
        switch keyword {
        case "guest-exec":
            guard let commandWord = words.first, commandWord.key == nil, !commandWord.stringValue.isEmpty else {
                throw MonitorSyntaxError(
                    "expected `guest-exec \"COMMAND\" [expect-exit=N] [expect-stdout=TEXT] [timeout=SECONDS]`",
                    column: words.first?.column ?? end + 1)
            }
            var expectExit = 0
            var expectStdout: String?
            var timeout: Duration?
            for word in words.dropFirst() {
                switch word.key {
                case "expect-exit":
                    guard let number = (try? word.value())?.intValue else {
                        throw MonitorSyntaxError("expect-exit= takes an exit status (a whole number)", column: word.valueColumn)
                    }
                    expectExit = number
                case "expect-stdout": expectStdout = word.stringValue
                case "timeout": timeout = try seconds(word)
                default:
                    throw MonitorSyntaxError(
                        "unexpected '\(word.text)': guest-exec takes one quoted command, expect-exit=, expect-stdout= and timeout=",
                        column: word.column)
                }
            }
            return .guestExec(command: commandWord.stringValue, expectExit: expectExit, expectStdout: expectStdout, timeout: timeout)
        default:
            guard words.count >= 2, words[0].key == nil, let kind = GuestDeviceKind(rawValue: words[0].text),
                words[1].key == nil, !words[1].stringValue.isEmpty
            else {
                throw MonitorSyntaxError(
                    "expected `guest-wait-device disk|nic ID [timeout=SECONDS]`, e.g. guest-wait-device disk vdb timeout=30",
                    column: words.first?.column ?? end + 1)
            }
            var timeout: Duration?
            for word in words.dropFirst(2) {
                guard word.key == "timeout" else {
                    throw MonitorSyntaxError(
                        "unexpected '\(word.text)': guest-wait-device takes disk|nic, an ID and timeout=", column: word.column)
                }
                timeout = try seconds(word)
            }
            return .guestWaitDevice(kind: kind, id: words[1].stringValue, timeout: timeout)
        }
    }
}
