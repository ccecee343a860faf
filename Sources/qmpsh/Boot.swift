import ArgumentParser
import LineEditing
import MonitorShell
import QEMURunner
import QMP
#if canImport(Glibc)
import Glibc
#endif

struct Boot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot a QEMU guest: follow its serial console, run a script on it (--script), or leave it running (--detach).",
        discussion: """
            Options use the names of QEMU's own command line, with one or two dashes (-name my-VM -hda d.img -cdrom x.iso
            -boot d -m 1G); -M help and -cpu help print QEMU's lists. Without --net the guest gets QEMU's default
            user-mode NIC (--net none for none); booting a disk or CD gives it a screen (--vga std; qmpsh screenshot).
            QEMU runs in a process group of its own, so Ctrl-C and Ctrl-Z never reach it. In the foreground on a
            terminal, the terminal is the guest's serial console (keys go to the guest, Ctrl-C included); Ctrl-] opens
            the monitor shell, where .console comes back; leaving the shell shuts the guest down (system_powerdown,
            quit, SIGTERM, SIGKILL). The printed monitor path is free for other clients (qmpsh shell/exec NAME).
            With --detach, qmpsh prints `monitor: PATH` and `pid: N` once the QMP monitor is ready and exits 0,
            leaving the guest running.
            Example:
              qmpsh boot --accel tcg -m 256,slots=2,maxmem=1G --smp 1,maxcpus=2 --kernel vmlinuz --initrd initrd.gz \\
                  --append console=ttyS0 --cdrom a.iso --net user --detach
            """
    )

    @OptionGroup var bootOptions: BootOptions

    @Flag(help: "Leave the guest running and exit once its monitor is ready.")
    var detach = false
    @Flag(help: "Give the guest a guest agent port (virtio-serial org.qemu.guest_agent.0); with --detach, its socket is printed as `agent: PATH`.")
    var agent = false
    @Flag(help: "Open the monitor shell on the guest once it is up; the guest is shut down when the shell ends.")
    var shell = false

    @Option(help: "Run this .qmp script on the guest, then shut it down (the exit status is the script's).")
    var script: String?

    @OptionGroup(title: "Script options (with --script)") var scriptOptions: ScriptOptions

    // Issue 17: a migration destination, or a fast start from a saved state (Boot+Migration.swift).
    @Flag(help: "Start as a migration destination (-incoming defer): the guest runs once `qmpsh migrate` moves one here.")
    var incoming = false
    @Option(name: .customLong("from-snapshot"), help: "Start from a state saved with `qmpsh migrate MONITOR file:PATH` instead of booting (same machine options).")
    var fromSnapshot: String?

    func validate() throws {
        if script != nil, detach { throw ValidationError("--script and --detach do not go together") }
        if script != nil { try scriptOptions.validateOptions() }
        if shell && detach { throw ValidationError("--shell and --detach exclude each other") }
        if shell && script != nil { throw ValidationError("--shell and --script exclude each other") }
    }

    func run() async throws {
        if let request = bootOptions.qemuHelpRequest {
            try await Self.printQEMUList(request, qemu: bootOptions.qemu)
            return
        }
        if let script {
            let parsed = try scriptOptions.loadScript(script)
            try await scriptOptions.runOnBootedGuest(parsed, bootOptions: bootOptions, agent: agent)
            return
        }
        var configuration = try bootOptions.machineConfiguration()
        if agent { configuration.agent = true }
        var options = bootOptions.guestOptions()
        options.detached = detach
        // -v and --transcript (in the script options) work with --shell and plain boots too.
        let tap = try scriptOptions.wireTap()
        defer { tap.close() }
        if !detach { tap.apply(to: &options.monitor, monitor: "guest") }
        try await reportingErrors {
            let guest = try await launchGuest(configuration, options: options)
            if detach {
                // QEMU's messages so far (its stderr goes to qemu.log once this process is gone).
                for line in (readTextFile(guest.runtimeDirectory.file("qemu.log")) ?? "").split(separator: "\n") {
                    Output.err("qemu: \(line)\n")
                }
                await guest.detach()
                Output.out("monitor: \(guest.monitorPath)\npid: \(guest.process.pid)\n")
                if let agentPath = guest.agentPath { Output.out("agent: qga:\(agentPath)\n") }
                if let console = guest.consolePath {
                    Output.err("# console: \(console)  (qmpsh console \(configuration.name ?? console); qmpsh stop \(configuration.name ?? "\(guest.process.pid)"))\n")
                }
                return
            }
            if shell {
                try await runShell(on: guest)
                return
            }
            let others = "free for other clients: qmpsh shell \(configuration.name ?? guest.monitorPath)"
            if ConsoleTerminal.isInteractive {
                Output.err("# monitor: \(guest.monitorPath)  pid: \(guest.process.pid)  (\(others))\n")
                try await runInteractive(on: guest)
                return
            }
            Output.err("# monitor: \(guest.monitorPath)  pid: \(guest.process.pid)  (Ctrl-C shuts the guest down; \(others))\n")
            // Ctrl-C or SIGTERM: shut the guest down through the ladder instead of dying.
            let watcher = SignalWatcher([SIGINT, SIGTERM])
            let signals = watcher.signals
            // Whichever comes first: the guest ends, or a signal. (Waiting for QEMU cannot be cancelled, so the
            // waits run as tasks of their own that simply finish later.)
            let (ended, endedContinuation) = AsyncStream<Void>.makeStream()
            let printer = Task {
                for await chunk in guest.console.stream() { Output.out(chunk) }
            }
            let exit = Task {
                _ = await guest.process.wait()
                endedContinuation.yield()
            }
            let interrupt = Task {
                for await _ in signals {
                    endedContinuation.yield()
                    return
                }
            }
            for await _ in ended { break }
            interrupt.cancel()
            _ = exit
            withExtendedLifetime(watcher) {}
            let termination = await guest.shutdown()
            await printer.value
            Output.err("# QEMU ended: \(termination)\n")
        }
    }

    /// `-M help`, `-cpu help`: QEMU's own list, printed as it is.
    static func printQEMUList(_ request: [String], qemu: String?) async throws {
        var machine = MachineConfiguration()
        machine.qemu = qemu
        let result = try await Subprocess.run([machine.qemuBinary] + request, timeout: .seconds(60))
        Output.out(result.standardOutput)
        if !result.termination.isSuccess {
            Output.err(result.standardError)
            throw ExitCode(1)
        }
    }
}

extension Boot {
    /// A foreground boot on a terminal: the terminal is the guest's serial console (raw mode; Ctrl-C and Ctrl-Z
    /// go to the guest). Ctrl-] opens the monitor shell, where `.console` comes back; leaving the shell shuts the
    /// guest down. SIGTERM and SIGHUP restore the terminal and shut the guest down.
    func runInteractive(on guest: Guest) async throws {
        let watcher = SignalWatcher([SIGTERM, SIGHUP])
        let signals = watcher.signals
        let stopping = Task {
            for await _ in signals {
                ConsoleTerminal.restoreTerminal()
                Output.err("\r\n# signal: shutting the guest down\n")
                await guest.shutdown()
                Glibc.exit(0)
            }
        }
        defer { stopping.cancel() }
        Output.err("# serial console: Ctrl-] opens the monitor shell (.console comes back here)\n")
        let outcome = await Self.attachConsole(guest)
        if outcome == .escaped {
            Output.err("\n")
            try await runShell(on: guest)
            return
        }
        let termination = await guest.shutdown()
        Output.err("\r\n# QEMU ended: \(termination)\n")
        withExtendedLifetime(watcher) {}
    }

    /// Connects the terminal to the guest's serial console until Ctrl-] or the guest's end.
    static func attachConsole(_ guest: Guest) async -> ConsoleTerminal.Outcome {
        let console = guest.console
        return await ConsoleTerminal.attach(output: console.byteStream()) { bytes in try? console.send(bytes: bytes) }
    }

    /// `--shell` (and Ctrl-] from the console): the REPL on the guest's own QMP connection, then the shutdown
    /// ladder. `.console` switches to the serial console; Ctrl-] comes back.
    func runShell(on guest: Guest) async throws {
        let session = MonitorSession(label: guest.configuration.name ?? guest.runtimeDirectory.file("qmp.sock"), client: guest.client)
        // With --agent, the guest's agent is session 2 (`.use 2`).
        let agentSession = guest.agent.map { MonitorSession(label: "qga:" + (guest.agentPath ?? ""), agent: $0) }
        var replOptions = MonitorREPL.Options()
        replOptions.attachConsole = ConsoleTerminal.isInteractive
            ? { @Sendable in
                Output.err("# serial console: Ctrl-] comes back to the shell\n")
                let outcome = await Boot.attachConsole(guest)
                Output.err(outcome == .ended ? "\r\n# the console ended (QEMU exited)\n" : "\r\n")
            }
            : nil
        let status = await Shell.runREPL(
            sessions: [session] + (agentSession.map { [$0] } ?? []), options: replOptions, history: nil,
            closingSessions: false)
        Output.err("# shutting the guest down (system_powerdown, then quit)\n")
        let termination = await guest.shutdown()
        Output.err("# QEMU ended: \(termination)\n")
        if status != 0 { throw ExitCode(status) }
    }
}
