#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP
public import GuestAgent

/// A QEMU guest started by this library: the process, a connected QMP client and the serial console.
///
/// Start one with ``withGuest(_:options:_:)``, which always shuts it down — on success, on error and on
/// cancellation — through the ladder `system_powerdown` → wait → `quit` → SIGTERM → SIGKILL, and removes its
/// runtime directory. QEMU also gets SIGKILL if this process dies, so no QEMU is ever left behind.
///
/// ```swift
/// try await Guest.withGuest(machine) { guest in
///     try await guest.console.expect("guest# ", timeout: .seconds(60))
///     try await guest.client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vd1", properties: ["drive": "d1"]))
/// }
/// ```
public final class Guest: Sendable {
    /// How a guest is started and stopped.
    public struct Options: Sendable {
        /// How long to wait for QMP's greeting after launch.
        public var monitorTimeout: Duration = .seconds(30)
        /// Under KVM with a kernel to boot: how long the console may stay silent before the guest counts as hung
        /// (KVM that cannot run guests is common on nested hosts).
        public var kvmProgressTimeout: Duration? = .seconds(20)
        /// How long the guest gets to power off after `system_powerdown`; zero skips that step.
        public var powerdownTimeout: Duration = .seconds(10)
        /// How long QEMU gets to exit after `quit`, then after SIGTERM.
        public var quitTimeout: Duration = .seconds(5)
        /// Keep QEMU running after this process exits (for `qmpsh boot --detach`).
        public var detached = false
        /// Settings of the guest's QMP client (event history size, default timeout, message observer, ...); its
        /// greeting timeout is ``monitorTimeout``.
        public var monitor = QMPClient.Configuration()

        public init() {}
    }

    public let configuration: MachineConfiguration
    public let process: Subprocess
    /// The QMP client, connected and negotiated.
    public let client: QMPClient
    /// The serial console. For a detached guest it stays silent: the console then goes to the log file only.
    public let console: SerialConsole
    public let runtimeDirectory: RuntimeDirectory
    /// Path of the QMP monitor socket (in the runtime directory).
    public let monitorPath: String
    /// The guest agent's socket, when the machine has an agent port (``MachineConfiguration/agent``).
    public let agentPath: String?
    /// The guest agent client, opened but not yet synchronised (the agent starts with the guest): nil without
    /// ``MachineConfiguration/agent``. Its first call, or ``waitForAgent(timeout:)``, synchronises.
    public let agent: GuestAgentClient?
    private let options: Options

    private init(
        configuration: MachineConfiguration, process: Subprocess, client: QMPClient, console: SerialConsole,
        runtimeDirectory: RuntimeDirectory, monitorPath: String, agentPath: String?, agent: GuestAgentClient?,
        options: Options
    ) {
        self.agentPath = agentPath
        self.agent = agent
        self.configuration = configuration
        self.process = process
        self.client = client
        self.console = console
        self.runtimeDirectory = runtimeDirectory
        self.monitorPath = monitorPath
        self.options = options
    }

    /// Boots `configuration`, runs `body`, and always shuts the guest down afterwards.
    public static func withGuest<Result: Sendable>(
        _ configuration: MachineConfiguration, options: Options = Options(), _ body: (Guest) async throws -> Result
    ) async throws -> Result {
        let guest = try await launch(configuration, options: options)
        do {
            let result = try await body(guest)
            await guest.shutdownShielded()
            return result
        } catch {
            await guest.shutdownShielded()
            throw error
        }
    }

    /// Starts QEMU and connects its monitor. Prefer ``withGuest(_:options:_:)``; a launched guest must be
    /// stopped with ``shutdown()``.
    public static func launch(_ configuration: MachineConfiguration, options: Options = Options()) async throws -> Guest {
        var arguments = try configuration.arguments()
        let directory = try RuntimeDirectory.create()
        do {
            let monitorPath = directory.file("qmp.sock")
            // The monitor socket is bound before QEMU starts and handed over as fd 3: clients can connect at once.
            let listener = try ListeningSocket(path: monitorPath)
            let (consoleEnd, guestEnd) = try SocketConnection.pair()
            arguments += ["-chardev", "socket,id=qmp,fd=3,server=on,wait=off", "-mon", "chardev=qmp,mode=control"]
            // QEMU itself copies the console to the log. A detached guest outlives this process, so its console
            // goes to the log file only.
            let logPath = configuration.serialLog ?? directory.file("console.log")
            // The log is created (or checked and emptied) here through SafeFile: 0600, no symbolic link followed, no
            // file of another user reused. QEMU then appends to the file this process owns.
            do { close(try SafeFile.openForWriting(logPath)) } catch {
                throw RunnerError(.invalidConfiguration, "--serial-log: \(error)")
            }
            let escapedLog = MachineConfiguration.escapeOption(logPath)
            arguments += options.detached
                ? ["-chardev", "file,id=serial0,path=\(escapedLog),append=on", "-serial", "chardev:serial0"]
                : ["-chardev", "socket,id=serial0,fd=4,logfile=\(escapedLog),logappend=on", "-serial", "chardev:serial0"]
            // ---- guest agent (issue 16): its port on a socket of the runtime directory ----
            let agentPath = configuration.agent ? directory.file("qga.sock") : nil
            if let agentPath { arguments += MachineConfiguration.agentArguments(socketPath: agentPath) }
            // ----
            let stderrPath = directory.file("qemu.stderr")
            let process = try withExtendedLifetime((listener, guestEnd)) {
                try Subprocess.launch(
                    [configuration.qemuBinary] + arguments, stderr: .file(stderrPath),
                    inheriting: [(listener.fileDescriptor, 3), (guestEnd.fileDescriptor, 4)],
                    dieWithParent: !options.detached)
            }
            // Our copies of the listener and QEMU's console end are released here: QEMU has its own, and if it exits
            // our connections are reset rather than left waiting.
            let console = SerialConsole(connection: consoleEnd, logPath: logPath)
            let client: QMPClient
            do {
                var qmp = options.monitor
                qmp.greetingTimeout = options.monitorTimeout
                // Connect, unless QEMU exits first: then stop waiting for a greeting that cannot come.
                let connecting = Task { try await QMPClient.connect(to: .unix(path: monitorPath), configuration: qmp) }
                let exitWatch = Task {
                    _ = await process.wait()
                    connecting.cancel()
                }
                defer { exitWatch.cancel() }
                // The connect runs in a task of its own (so QEMU's exit can cancel it); pass this task's
                // cancellation on to it, or a cancelled launch would wait for the whole monitor timeout.
                client = try await withTaskCancellationHandler {
                    try await connecting.value
                } onCancel: {
                    connecting.cancel()
                }
            } catch is CancellationError where process.termination == nil {
                // Cancelled by the caller, QEMU still running: stop it at once, it never became a guest.
                console.close()
                process.signal(SIGKILL)
                _ = await process.wait()
                throw CancellationError()
            } catch {
                console.close()
                let termination = await process.wait(timeout: .seconds(2))
                if termination == nil { process.signal(SIGKILL) }
                let stderr = (readTextFile(stderrPath) ?? "").trimmingCharacters
                throw RunnerError(
                    .qemuExited,
                    "QEMU \(termination.map { "exited (\($0))" } ?? "did not answer") before its monitor was ready"
                        + (stderr.isEmpty ? ": \(error)" : ": \(stderr)"))
            }
            // QEMU listens on the agent socket by now (it answered on the monitor).
            let agent: GuestAgentClient?
            do {
                agent = try agentPath.map { try GuestAgentClient.open(.unix(path: $0)) }
            } catch {
                await client.close()
                console.close()
                process.signal(SIGKILL)
                _ = await process.wait()
                throw error
            }
            let guest = Guest(
                configuration: configuration, process: process, client: client, console: console,
                runtimeDirectory: directory, monitorPath: monitorPath, agentPath: agentPath, agent: agent,
                options: options)
            if configuration.resolvedAccelerator == .kvm, configuration.kernel != nil, let limit = options.kvmProgressTimeout {
                do {
                    try await console.waitForOutput(timeout: limit)
                } catch {
                    await guest.shutdownShielded()
                    throw RunnerError(
                        .noProgress,
                        "the guest printed nothing on its console within \(limit) under KVM: this host's KVM may not run guests; try --accel tcg")
                }
            }
            return guest
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Stops the guest: `system_powerdown` and a wait, then `quit`, then SIGTERM, then SIGKILL — each step only if
    /// the one before did not end QEMU. Closes the monitor and console and removes the runtime directory.
    ///
    /// Cancelling the caller does not cut the ladder short: it runs in a task of its own (a cancelled task could
    /// not send `quit`, and QEMU would wait for SIGTERM instead).
    @discardableResult
    public func shutdown() async -> Termination {
        await Task { await self.runShutdownLadder() }.value
    }

    private func runShutdownLadder() async -> Termination {
        var termination = process.termination
        if termination == nil, options.powerdownTimeout > .zero {
            _ = try? await client.execute("system_powerdown", timeout: .seconds(2))
            termination = await process.wait(timeout: options.powerdownTimeout)
        }
        if termination == nil {
            _ = try? await client.execute("quit", timeout: .seconds(2))
            termination = await process.wait(timeout: options.quitTimeout)
        }
        if termination == nil {
            process.signal(SIGTERM)
            termination = await process.wait(timeout: options.quitTimeout)
        }
        if termination == nil {
            process.signal(SIGKILL)
            termination = await process.wait()
        }
        await client.close()
        await agent?.close()
        console.close()
        if !options.detached { runtimeDirectory.remove() }
        return termination!
    }

    /// Runs the shutdown ladder to its end, whether or not the caller is cancelled.
    func shutdownShielded() async {
        await shutdown()
    }

    /// Leaves QEMU running and closes this side's connections (for `qmpsh boot --detach`).
    public func detach() async {
        await client.close()
        await agent?.close()
        console.close()
    }
}

extension String {
    var trimmingCharacters: String {
        var slice = Substring(self)
        while slice.last?.isWhitespace == true { slice.removeLast() }
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        return String(slice)
    }
}
