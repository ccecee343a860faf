import GuestAgent
import ArgumentParser
import QMP
import QMPSchema
import MonitorShell

struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run one QMP command and print its return value as JSON.",
        discussion: """
            Arguments are key=value: a value that parses as JSON is JSON (size=1024, force=true, props={"a":1}),
            otherwise a string; dotted keys nest (file.driver=file file.filename=/tmp/d.qcow2).
            The command is checked against the monitor's schema before it is sent: a mistake exits 2 with
            "ValidationError: ... did you mean ...?" and sends nothing; deprecated or unstable use is a warning.
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

    @Flag(help: "Send the command without checking it against the monitor's schema.")
    var noValidate = false

    func validate() throws {
        guard MonitorInput.isCommandName(command) else {
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
        if GuestAgentAddress.isAgent(options.monitor) {  // issue 16: an agent command, no schema to check against
            let tap = try options.wire.tap()
            defer { tap.close() }
            try await reportingErrors {
                let agent = try await Connector.agents.connect(
                    options.monitor, configuration: tap.agentConfiguration(options.monitor, timeout: options.timeoutDuration))
                do {
                    let result = try await agent.execute(
                        command, arguments: parsed.isEmpty ? nil : parsed, timeout: options.timeoutDuration)
                    Output.out(result.serialized(pretty: pretty) + "\n")
                    await agent.close()
                } catch {
                    await agent.close()
                    throw error
                }
            }
            return
        }
        try await options.withClient { client in
            var arguments = noValidate ? parsed : try await check(parsed, on: client)
            // A relative file name means the user's folder, not QEMU's (issue 15).
            if let paths = LocalPaths.forMonitor(options.monitor) { arguments = paths.resolving(command: command, arguments: arguments) }
            let result: JSON
            do {
                result = try await client.execute(command, arguments: .object(arguments))
            } catch {
                throw await DeviceListing.explaining(error, client: client)  // issue 15: name the devices there are
            }
            Output.out(result.serialized(pretty: pretty) + "\n")
        }
    }
}

extension Exec {
    /// Validates against the live schema (and, for device_add, the driver's properties); prints warnings; a
    /// validation error is printed and exits 2. A QEMU that cannot give its schema is warned about, not refused.
    /// Returns the arguments to send: `yes/no/on/off` where the schema wants a boolean become that boolean.
    func check(_ given: JSONObject, on client: QMPClient) async throws -> JSONObject {
        let schema: QAPISchema
        do {
            schema = try await QAPISchema.load(from: client)
        } catch let error as QMPError {
            Output.err("Warning: not validated, the monitor gives no schema (\(error))\n")
            return given
        } catch let error as SchemaDecodingError {
            Output.err("Warning: not validated: \(error)\n")
            return given
        }
        let arguments = schema.coercingBooleans(command: command, arguments: given)
        let report = await LiveValues(client: client).validate(command: command, arguments: arguments, schema: schema)
        for warning in report.warnings { Output.err("Warning: \(warning)\n") }
        if let error = report.errors.first {
            Output.err("ValidationError: \(error)\n")
            throw ExitCode(2)
        }
        return arguments
    }
}
