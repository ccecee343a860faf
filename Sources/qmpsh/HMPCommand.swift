import ArgumentParser
import QMP

struct HMPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hmp",
        abstract: "Run one human-monitor (HMP) command through QMP and print its text.",
        discussion: "Example: qmpsh hmp /tmp/qmp.sock 'info status'"
    )

    @OptionGroup var options: MonitorOptions

    @Argument(help: "The HMP command line, e.g. 'info block'. Several words are joined with spaces.")
    var commandLine: [String]

    func validate() throws {
        guard !commandLine.joined().allSatisfy(\.isWhitespace) else {
            throw ValidationError("give an HMP command, e.g. 'info status'")
        }
    }

    func run() async throws {
        try await options.withClient { client in
            let result = try await client.execute(
                "human-monitor-command", arguments: ["command-line": .string(commandLine.joined(separator: " "))])
            var text = result.stringValue ?? result.serialized()
            text = text.replacingCRLF()
            Output.out(text.isEmpty || text.hasSuffix("\n") ? text : text + "\n")
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
