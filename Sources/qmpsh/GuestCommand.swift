import ArgumentParser
import GuestAgent
import MonitorShell
import QMP
import QMPWire
#if canImport(Glibc)
import Glibc
#endif

/// `qmpsh guest GUEST exec|cat|cp|info`: the guest agent (qemu-ga) in a guest.
struct GuestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guest",
        abstract: "Work inside a guest through its agent (qemu-ga): run programs, read and copy files, show its devices.",
        discussion: """
            GUEST is an agent address: qga:PATH (the host side of the guest's org.qemu.guest_agent.0 port, e.g.
            qmpsh boot --agent), qga:tcp:HOST:PORT, or libvirt+qga:DOMAIN for a guest libvirt runs; a bare NAME is
            the libvirt guest of that name (libvirt+qga:NAME).
            Examples:
              qmpsh guest qga:/tmp/qga.sock exec -- uname -r
              qmpsh guest qga:/tmp/qga.sock cat /etc/os-release
              qmpsh guest qga:/tmp/qga.sock cp ./notes.txt :/tmp/notes.txt     (":" marks the guest side, as in scp)
              qmpsh guest qga:/tmp/qga.sock info
            """,
        subcommands: []
    )

    @Argument(help: "The guest's agent: qga:PATH, qga:tcp:HOST:PORT, libvirt+qga:DOMAIN, or a libvirt guest's name.")
    var guest: String

    @Argument(parsing: .captureForPassthrough, help: "exec|cat|cp|info and its arguments (see qmpsh guest GUEST ACTION --help).")
    var action: [String] = []

    static let actions: [String: any AsyncParsableCommand.Type] = [
        "exec": GuestExec.self, "cat": GuestCat.self, "cp": GuestCopy.self, "info": GuestInfo.self,
    ]

    func validate() throws {
        guard let name = action.first else { throw ValidationError("give an action after GUEST: exec, cat, cp or info") }
        guard Self.actions[name] != nil else {
            throw ValidationError("unknown action '\(name)': use exec, cat, cp or info")
        }
    }

    /// GUEST comes before the action (`qmpsh guest GUEST exec -- ...`), so the action is parsed here, with GUEST
    /// moved in front of its own arguments.
    func run() async throws {
        let type = Self.actions[action[0]]!
        let arguments = [guest] + action.dropFirst()
        let parsed: any ParsableCommand
        do {
            parsed = try type.parse(arguments)
        } catch {
            Output.err(type.fullMessage(for: error) + "\n")
            throw ExitCode(type.exitCode(for: error) == .success ? 0 : 2)
        }
        guard var command = parsed as? any AsyncParsableCommand else { return }
        try await command.run()
    }
}

/// Options every `guest` subcommand takes.
struct GuestOptions: ParsableArguments {
    @Argument(help: "The guest's agent: qga:PATH, qga:tcp:HOST:PORT, libvirt+qga:DOMAIN, or a libvirt guest's name.")
    var guest: String

    @Option(help: "Seconds to wait for the agent and for each answer.")
    var timeout: Double = 30

    @OptionGroup var wire: WireOptions

    var timeoutDuration: Duration { Seconds.duration(clamping: timeout) }

    /// The agent address: GUEST as given, or for a bare guest name the agent of the libvirt domain of that name.
    var agentAddress: String {
        GuestAgentAddress.isAgent(guest) || guest.contains("/") || guest.contains(":") ? guest : "libvirt+qga:" + guest
    }

    func validate() throws {
        try checkSeconds(timeout, "--timeout")
        do { _ = try GuestAgentAddress(parsing: agentAddress) } catch { throw ValidationError(error.description) }
    }

    /// Connects, runs `body`, closes; errors become the CLI's one-line messages and exit codes.
    func withAgent(_ body: (any GuestAgentConnection) async throws -> Void) async throws {
        let tap = try wire.tap()
        defer { tap.close() }
        try await reportingErrors {
            let agent = try await Connector.agents.connect(
                agentAddress, configuration: tap.agentConfiguration(agentAddress, timeout: timeoutDuration))
            do {
                try await body(agent)
                await agent.close()
            } catch {
                await agent.close()
                throw error
            }
        }
    }
}

struct GuestExec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qmpsh guest GUEST exec",
        abstract: "Run a program in the guest; print its output and exit with its status.",
        discussion: """
            The program's standard output and error go to qmpsh's (qemu-ga hands them over when the program ends).
            Standard input is not passed on unless --stdin is given.
            """)

    @OptionGroup var options: GuestOptions
    @Flag(help: "Pass qmpsh's standard input to the program.")
    var stdin = false
    @Option(help: "Seconds the program may run.")
    var programTimeout: Double = 300
    @Argument(parsing: .postTerminator, help: "-- PROGRAM ARGUMENTS... (after --, so the program's own options stay its own)")
    var program: [String] = []

    func validate() throws {
        guard !program.isEmpty else { throw ValidationError("give the program to run: exec -- PROGRAM ARGS...") }
        try checkSeconds(programTimeout, "--program-timeout")
    }

    func run() async throws {
        let input = stdin ? readAll(0) : nil
        var status: Int32 = 0
        try await options.withAgent { agent in
            let result = try await agent.run(
                program[0], arguments: Array(program.dropFirst()), input: input,
                timeout: Seconds.duration(clamping: programTimeout))
            writeAll(1, result.status.stdout)
            writeAll(2, result.status.stderr)
            status = result.status.shellStatus
        }
        if status != 0 { throw ExitCode(status) }
    }
}

struct GuestCat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "qmpsh guest GUEST cat", abstract: "Print a file of the guest.")
    @OptionGroup var options: GuestOptions
    @Argument(help: "The file in the guest.")
    var path: String

    func run() async throws {
        try await options.withAgent { agent in writeAll(1, try await agent.readFile(path)) }
    }
}

struct GuestCopy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qmpsh guest GUEST cp", abstract: "Copy a file between host and guest; the guest side starts with ':' (as in scp).")
    @OptionGroup var options: GuestOptions
    @Argument(help: "Source: a host path, or :PATH in the guest.")
    var source: String
    @Argument(help: "Destination: a host path, or :PATH in the guest.")
    var destination: String

    func validate() throws {
        switch (GuestAgentReport.CopyOperand(source), GuestAgentReport.CopyOperand(destination)) {
        case (.guest, .host), (.host, .guest): break
        default: throw ValidationError("exactly one side of cp is in the guest (:PATH)")
        }
    }

    func run() async throws {
        try await options.withAgent { agent in
            switch (GuestAgentReport.CopyOperand(source), GuestAgentReport.CopyOperand(destination)) {
            case (.guest(let from), .host(let to)):
                let bytes = try await agent.readFile(from)
                try writeHostFile(to, bytes)
            case (.host(let from), .guest(let to)):
                guard let bytes = readHostFile(from) else {
                    throw QMPUsageError("cannot read \(from): \(String(cString: strerror(errno)))")
                }
                try await agent.writeFile(to, contents: bytes)
            default: break
            }
        }
    }
}

struct GuestInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qmpsh guest GUEST info", abstract: "Show the guest's OS, network interfaces, disks and file systems.")
    @OptionGroup var options: GuestOptions

    func run() async throws {
        try await options.withAgent { agent in
            let os = try await agent.osInfo()
            let interfaces = try await agent.networkInterfaces()
            let disks = try await agent.disks()
            let filesystems = try await agent.filesystems()
            Output.out(GuestAgentReport.info(os: os, interfaces: interfaces, disks: disks, filesystems: filesystems))
        }
    }
}

// MARK: - Host files

private func readAll(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return bytes }
        bytes += buffer[0..<count]
    }
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { QMPWire.writeAll(fd, $0) }
}

private func readHostFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return readAll(fd)
}

/// Writes a host file, created with mode 0600 (umask applies) when new: the guest's file may be private.
private func writeHostFile(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw QMPUsageError("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    writeAll(fd, bytes)
}
