import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct QMPSH: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qmpsh",
        abstract: "Talk to QEMU's monitors: QMP commands, HMP commands and events.",
        discussion: """
            MONITOR is /path.sock or unix:/path.sock (QMP), tcp:HOST:PORT (QMP), hmp:/path.sock (direct HMP), or a guest
            libvirt runs: libvirt:DOMAIN (qemu:///system) or libvirt+URI#DOMAIN (e.g. libvirt+qemu+ssh://host/system#web1).
            A guest booted with `qmpsh boot --name NAME` can be named by NAME (qmpsh ps lists them).
            `qmpsh MONITOR...` opens the interactive shell.
            Exit status: 0 success; 1 a command failed; 2 bad usage; 3 the monitor could not be reached or went away.
            """,
        version: "0.1.0",
        subcommands: [
            Shell.self, Exec.self, HMPCommand.self, Events.self, Run.self, Boot.self, Schema.self, Img.self, Doctor.self,
            Domains.self,
            GuestCommand.self,
            Migrate.self, Snapshot.self, Backup.self, Jobs.self,  // issue 17
            PS.self, Stop.self, Console.self, ScreenshotCommand.self, TypeKeys.self,
        ],
        defaultSubcommand: Shell.self
    )

    /// Parses and runs like ArgumentParser's own entry point, but bad usage exits with 2 (the project's contract)
    /// instead of 64.
    static func main() async {
        do {
            var command = try parseAsRoot(QEMUSpellings.rewrite(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { self.exit(withError: error) }
            Output.err(fullMessage(for: error) + "\n")
            Glibc.exit(2)
        }
    }
}
