import ArgumentParser
import LineEditing
import MonitorShell
import QEMURunner
import QMP
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct Boot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Boot a QEMU guest: follow its serial console, run a script on it (--script), or leave it running (--detach).",
        discussion: """
            Options use the names of QEMU's own command line, with one or two dashes (-name my-VM -hda d.img -cdrom \
            x.iso -boot d -m 1G); -M help and -cpu help print QEMU's lists. Without --net the guest gets QEMU's \
            default user-mode NIC (--net none for none); booting a disk or CD gives it a screen (--vga std; qmpsh \
            screenshot).

            QEMU runs in a process group of its own, so Ctrl-C and Ctrl-Z never reach it: qmpsh decides. In the \
            foreground on a terminal, the terminal is the guest's serial console (keys go to the guest). Ctrl-C \
            there asks "power the guest down? [y/N]": y shuts the guest down (Ctrl-C meanwhile forces it off), any \
            other key goes back to the console \
            with nothing sent, and a second Ctrl-C sends Ctrl-C to the guest (to stop a program in it). Ctrl-] \
            opens the monitor shell (Ctrl-C clears its line), where .console comes back; leaving the shell shuts \
            the guest down (system_powerdown, quit, SIGTERM, SIGKILL). Without a terminal, a first Ctrl-C (SIGINT) \
            or SIGTERM powers the guest down that way and a second one forces it off. The printed monitor path is \
            free for other clients (qmpsh shell/exec NAME).

            With --detach, qmpsh prints `monitor: PATH` and `pid: N` once the QMP monitor is ready and exits 0, \
            leaving the guest running.

            Example:
              qmpsh boot --accel tcg -m 256,slots=2,maxmem=1G --smp 1,maxcpus=2 \\
                  --kernel vmlinuz --initrd initrd.gz --append console=ttyS0 \\
                  --cdrom a.iso --net user --detach
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
        if !detach {
            tap.apply(to: &options.monitor, monitor: "guest")
            tap.apply(to: &options.agent, agent: "qga:guest")
        }
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
            Output.err("# monitor: \(guest.monitorPath)  pid: \(guest.process.pid)  (Ctrl-C powers the guest down, twice forces it off; \(others))\n")
            // Ctrl-C or SIGTERM: shut the guest down through the ladder instead of dying; a second one forces it off.
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
            let interrupt = Self.stoppingOnSignals(signals, guest: guest) { name in
                Output.err("# \(name): powering the guest down (system_powerdown, then quit); again forces it off\n")
                endedContinuation.yield()
            }
            for await _ in ended { break }
            _ = exit
            let termination = await guest.shutdown()
            interrupt.cancel()
            withExtendedLifetime(watcher) {}
            await printer.value
            Output.err("# QEMU ended: \(termination)\n")
        }
    }

    /// Watches `signals`: the first calls `first` with the signal's name (to start a graceful shutdown), the next
    /// forces the guest off (``forceOff(_:)``). Cancel the task once the guest has ended.
    static func stoppingOnSignals(
        _ signals: AsyncStream<Int32>, guest: Guest, first: @escaping @Sendable (String) -> Void
    ) -> Task<Void, Never> {
        Task {
            var seen = false
            for await signal in signals {
                let name = signal == SIGINT ? "Ctrl-C (SIGINT)" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
                if !seen {
                    seen = true
                    first(name)
                } else {
                    Output.err("# \(name) again: forcing the guest off (quit, then SIGKILL)\n")
                    await forceOff(guest)
                    return
                }
            }
        }
    }

    /// Ends QEMU at once: `quit`, then SIGKILL if it is still there a few seconds later (the shutdown ladder
    /// running meanwhile sees the end and cleans up).
    static func forceOff(_ guest: Guest) async {
        _ = try? await guest.client.execute("quit", timeout: .seconds(2))
        if await guest.process.wait(timeout: .seconds(3)) == nil { guest.process.signal(SIGKILL) }
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
    /// A foreground boot on a terminal: the terminal is the guest's serial console (raw mode; Ctrl-Z goes to the
    /// guest). Ctrl-C asks whether to power the guest down (a second Ctrl-C sends it to the guest). Ctrl-] opens the
    /// monitor shell, where `.console` comes back; leaving the shell shuts the guest down. SIGINT, SIGTERM and
    /// SIGHUP from elsewhere restore the terminal and shut the guest down.
    func runInteractive(on guest: Guest) async throws {
        let watcher = SignalWatcher([SIGINT, SIGTERM, SIGHUP])
        let signals = watcher.signals
        let stopping = Task {
            for await _ in signals {
                // A signal while the guest is already being shut down (say Ctrl-C after `y`) forces it off.
                guard Self.beginShutdown() else {
                    Output.err("\r\n# signal again: forcing the guest off (quit, then SIGKILL)\n")
                    await Self.forceOff(guest)
                    continue
                }
                ConsoleTerminal.restoreTerminal()
                Output.err("\r\n# signal: shutting the guest down (again forces it off)\n")
                Task {
                    await guest.shutdown()
                    Output.finishStandardError()  // what -v still holds
                    Glibc.exit(0)
                }
            }
        }
        defer { stopping.cancel() }
        Output.err("# serial console: Ctrl-] opens the monitor shell; Ctrl-C asks whether to power the guest down (twice: Ctrl-C for the guest)\n")
        if guest.configuration.effectiveVGA != "none" {
            // A disk or CD boot shows its menus on the screen, not here.
            let name = guest.configuration.name ?? guest.monitorPath
            Output.err("# the guest's screen: qmpsh screenshot \(name) screen.png (keys: qmpsh type \(name) TEXT), or --display vnc=127.0.0.1:1\n")
        }
        let outcome = await Self.attachConsole(guest)
        switch outcome {
        case .escaped:
            Output.err("\n")
            try await runShell(on: guest)
            return
        case .confirmed:
            Output.err("# powering the guest down (system_powerdown, then quit; Ctrl-C forces it off)\n")
        case .ended:
            break
        }
        _ = Self.beginShutdown()
        let termination = await guest.shutdown()
        Output.err("\r\n# QEMU ended: \(termination)\n")
        withExtendedLifetime(watcher) {}
    }

    /// Set once this process starts shutting its guest down (one guest per `qmpsh boot`).
    private static let shuttingDown = Mutex(false)

    /// Marks the shutdown as begun; `false` when it had begun already.
    static func beginShutdown() -> Bool {
        shuttingDown.withLock { begun in
            defer { begun = true }
            return !begun
        }
    }

    /// What a Ctrl-C at the console asks (qmpsh's side of the screen; nothing of it reaches the guest).
    static let powerDownQuestion = "# power the guest down? [y/N]  (Ctrl-C again: Ctrl-C for the guest) "

    /// Connects the terminal to the guest's serial console until Ctrl-], the guest's end, or a `y` to the
    /// power-down question a Ctrl-C asks.
    static func attachConsole(_ guest: Guest) async -> ConsoleTerminal.Outcome {
        let console = guest.console
        return await ConsoleTerminal.attach(
            output: console.byteStream(), send: { bytes in try? console.send(bytes: bytes) },
            interruptQuestion: powerDownQuestion)
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
                Output.err("# serial console: Ctrl-] comes back to the shell; Ctrl-C asks whether to power the guest down\n")
                let outcome = await Boot.attachConsole(guest)
                switch outcome {
                case .ended: Output.err("\r\n# the console ended (QEMU exited)\n")
                case .escaped: Output.err("\r\n")
                case .confirmed: break
                }
                return outcome == .confirmed
            }
            : nil
        let status = await Shell.runREPL(
            sessions: [session] + (agentSession.map { [$0] } ?? []), options: replOptions, history: nil,
            closingSessions: false)
        Output.err("# shutting the guest down (system_powerdown, then quit)\n")
        _ = Self.beginShutdown()
        let termination = await guest.shutdown()
        Output.err("# QEMU ended: \(termination)\n")
        if status != 0 { throw ExitCode(status) }
    }
}
