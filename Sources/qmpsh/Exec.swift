import ArgumentParser
import QMP

struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one QMP command and print its return value as JSON.",
        discussion: """
            Arguments are key=value: a value that parses as JSON is JSON (size=1024, force=true, props={"a":1}),
            otherwise a string; dotted keys nest (file.driver=file file.filename=/tmp/d.qcow2).
            Examples:
              qmpsh exec /tmp/qmp.sock query-status
              qmpsh exec /tmp/qmp.sock device_del id=vd1
              qmpsh exec /tmp/qmp.sock human-monitor-command command-line='info block'
            """
    )

    @OptionGroup var options: MonitorOptions

    @Argument(help: "The QMP command, e.g. query-status.")
    var command: String

    @Argument(help: "Arguments as key=value.")
    var arguments: [String] = []

    @Flag(help: "Print the result indented over several lines.")
    var pretty = false

    func validate() throws {
        guard command.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("'\(command)' is not a QMP command name")
        }
        do {
            _ = try KeyValueArguments.parse(arguments)
        } catch {
            throw ValidationError("bad argument: \(error.message)")
        }
    }

    func run() async throws {
        let parsed = try KeyValueArguments.parse(arguments)
        try await options.withClient { client in
            let result = try await client.execute(command, arguments: .object(parsed))
            Output.out(result.serialized(pretty: pretty) + "\n")
        }
    }
}
