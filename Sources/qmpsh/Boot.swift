import ArgumentParser
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
            Options use the names of QEMU's own command line. Without --detach, the console is printed until the
            guest stops or Ctrl-C, and the guest is then shut down (system_powerdown, quit, SIGTERM, SIGKILL).
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
                await guest.detach()
                Output.out("monitor: \(guest.monitorPath)\npid: \(guest.process.pid)\n")
                if let agentPath = guest.agentPath { Output.out("agent: qga:\(agentPath)\n") }
                return
            }
            if shell {
                try await runShell(on: guest)
                return
            }
            Output.err("# monitor: \(guest.monitorPath)  pid: \(guest.process.pid)  (Ctrl-C shuts the guest down)\n")
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
}

extension Boot {
    /// `--shell`: the REPL on the guest's own QMP connection (a monitor serves one client), then the shutdown
    /// ladder. The serial console is not printed (it would run through the prompt); --serial-log keeps it.
    func runShell(on guest: Guest) async throws {
        let session = MonitorSession(label: guest.monitorPath, client: guest.client)
        // With --agent, the guest's agent is session 2 (`.use 2`).
        let agentSession = guest.agent.map { MonitorSession(label: "qga:" + (guest.agentPath ?? ""), agent: $0) }
        let status = await Shell.runREPL(
            sessions: [session] + (agentSession.map { [$0] } ?? []), options: MonitorREPL.Options(), history: nil,
            closingSessions: false)
        Output.err("# shutting the guest down (system_powerdown, then quit)\n")
        let termination = await guest.shutdown()
        Output.err("# QEMU ended: \(termination)\n")
        if status != 0 { throw ExitCode(status) }
    }
}
