public import QMPWire

/// Typed results for the HMP `info` commands that have a parser here, as JSON: the entry point for a REPL or script
/// that prints a human command's output as data.
///
/// Command names are matched exactly, as QEMU matches them (it takes no abbreviations: `info stat` is an unknown
/// command); extra white space is fine. `info block` also takes its own arguments (`-n`, `-v`, a device name); the
/// others take none (QEMU rejects extra words with "extraneous characters").
///
/// ```swift
/// let text = try await client.execute(HumanMonitorCommand("info block"))
/// if let json = try HMPTypedInfo.json(forCommand: "info block", output: text) {
///     print(json)   // [{"name":"virtio0","device":"virtio0","nodeName":"#block180",...}]
/// }
/// ```
public enum HMPTypedInfo {
    /// The commands ``json(forCommand:output:)`` knows, without arguments.
    public static let supportedCommands: [String] = TypedInfoCommand.allCases.map { "info \($0.rawValue)" }

    /// The output of `commandLine` parsed and encoded as JSON, or `nil` when the command is not one of
    /// ``supportedCommands`` (or has arguments QEMU would not take).
    ///
    /// List commands give a JSON array; the others an object. Throws ``HMPParseError`` when the output is QEMU's
    /// error text (`Error: No balloon device has been activated`) or cannot be read.
    public static func json(forCommand commandLine: String, output: String) throws -> JSON? {
        guard let command = TypedInfoCommand(commandLine: commandLine) else { return nil }
        return try command.json(parsing: output)
    }
}

/// The `info` subcommands with a typed result.
enum TypedInfoCommand: String, CaseIterable {
    case balloon
    case block
    case cpus
    case network
    case pci
    case status
    case version

    /// Reads `info NAME [ARGS]`; `nil` for other commands and for arguments the subcommand does not take.
    init?(commandLine: String) {
        let words = commandLine.split(whereSeparator: \.isWhitespace)
        guard words.count >= 2, words[0] == "info", let command = TypedInfoCommand(rawValue: String(words[1])) else {
            return nil
        }
        let arguments = words.dropFirst(2)
        switch command {
        case .block:
            // info block [-n] [-v] [device]
            let names = arguments.filter { $0 != "-n" && $0 != "-v" }
            guard names.count <= 1, names.allSatisfy({ !$0.hasPrefix("-") }) else { return nil }
        default:
            guard arguments.isEmpty else { return nil }
        }
        self = command
    }

    func json(parsing output: String) throws -> JSON {
        let encoder = JSONValueEncoder()
        switch self {
        case .balloon: return try encoder.encode(HMPBalloonInfo(parsing: output))
        case .block: return try encoder.encode(HMPBlockDevice.parse(output))
        case .cpus: return try encoder.encode(HMPCPUInfo.parse(output))
        case .network: return try encoder.encode(HMPNetworkInfo(parsing: output))
        case .pci: return try encoder.encode(HMPPCIDevice.parse(output))
        case .status: return try encoder.encode(HMPStatusInfo(parsing: output))
        case .version: return try encoder.encode(HMPVersionInfo(parsing: output))
        }
    }
}
