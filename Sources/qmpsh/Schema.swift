import ArgumentParser
import QMP
import QMPSchema

struct Schema: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print a command's or event's arguments from the monitor's live schema.",
        discussion: """
            With a name, prints its signature: ? marks optional arguments, {a,b} enumerations, [T] arrays,
            A|B alternates; a union adds a line per variant. Without one, lists the commands (or --events).
            Examples:
              qmpsh schema /tmp/qmp.sock blockdev-change-medium
              qmpsh schema /tmp/qmp.sock DEVICE_DELETED
              qmpsh schema /tmp/qmp.sock blockdev-add --json --pretty
            """
    )

    @OptionGroup var options: MonitorOptions

    @Argument(help: "A command or event name.")
    var name: String?

    @Flag(help: "Print JSON for machines: the arguments with their types, optionality, defaults and features.")
    var json = false

    @Flag(help: "With --json, indent the output over several lines.")
    var pretty = false

    @Flag(help: "List the events instead of the commands.")
    var events = false

    @Flag(help: "Include deprecated arguments and values in signatures.")
    var deprecated = false

    func run() async throws {
        try await options.withClient { client in
            let schema = try await QAPISchema.load(from: client)
            if let name {
                try show(name, from: schema)
            } else if json {
                let names = events ? schema.eventNames : schema.commandNames
                let list = names.compactMap { events ? schema.description(ofEvent: $0) : schema.description(ofCommand: $0) }
                Output.out(JSON.array(list).serialized(pretty: pretty) + "\n")
            } else {
                let names = events ? schema.eventNames : schema.commandNames
                Output.out(names.map { $0 + "\n" }.joined())
            }
        }
    }

    private func show(_ name: String, from schema: QAPISchema) throws {
        if json, let description = schema.description(ofCommand: name) ?? schema.description(ofEvent: name) {
            Output.out(description.serialized(pretty: pretty) + "\n")
        } else if !json,
            let signature = schema.signature(ofCommand: name, includeDeprecated: deprecated)
                ?? schema.signature(ofEvent: name, includeDeprecated: deprecated)
        {
            Output.out(signature + "\n")
        } else {
            let suggestion = Suggestion.closest(to: name, in: schema.commandNames + schema.eventNames)
            Output.err("ValidationError: unknown command or event '\(name)'" + (suggestion.map { " — did you mean '\($0)'?" } ?? "") + "\n")
            throw ExitCode(2)
        }
    }
}
