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
        /// Settings of the guest's agent client, when the machine has an agent port (its time limits, message
        /// observer and logger).
        public var agent = GuestAgentClient.Configuration()
        /// Receives each line QEMU writes to its standard error, as it comes (warnings such as "probing guessed
        /// raw" or KVM's CPUID messages). A detached guest's stderr goes to `qemu.log` in its runtime directory.
        public var standardError: (@Sendable (String) -> Void)?
        /// Receives a line for each step of a slow operation (the shutdown ladder, the KVM progress check), for a
        /// caller that shows progress.
        public var progress: (@Sendable (String) -> Void)?
        /// How often a long wait (the KVM check) repeats its line on ``progress``; `nil` says it once.
        public var progressInterval: Duration?
        /// Receives the one line that announces a long wait (the KVM check) when ``progress`` is not set (a caller
        /// whose output is a pipe still says why it is silent).
        public var waitNotice: (@Sendable (String) -> Void)?

        /// The defaults: 30 s for the greeting, 20 s of console silence under KVM, 10 s to power off and 5 s to
        /// quit, QEMU ends with this process, and no callbacks.
        public init() {}
    }

    /// The configuration the guest was booted with.
    public let configuration: MachineConfiguration
    /// The QEMU process.
    public let process: Subprocess
    /// The QMP client, connected and negotiated.
    public let client: QMPClient
    /// The serial console. For a detached guest it stays silent: the console then goes to the log file only.
    public let console: SerialConsole
    /// The private (0700) directory with the guest's sockets and logs; it is removed when QEMU ends.
    public let runtimeDirectory: RuntimeDirectory
    /// Path of the QMP monitor socket for other clients (`monitor.sock` in the runtime directory; a second
    /// monitor, so it is free while ``client`` holds the runner's own).
    public let monitorPath: String
    /// The guest agent's socket, when the machine has an agent port (``MachineConfiguration/agent``).
    public let agentPath: String?
    /// The guest agent client, opened but not yet synchronised (the agent starts with the guest): nil without
    /// ``MachineConfiguration/agent``. Its first call, or ``waitForAgent(timeout:)``, synchronises.
    public let agent: GuestAgentClient?
    /// The serial console socket other programs attach to (`qmpsh console`): detached guests only.
    public let consolePath: String?
    /// `base/NAME`, the stable path of a named guest's runtime directory.
    public let namedPath: String?
    private let options: Options
    private let stderrReader: LineReader?

    private init(
        configuration: MachineConfiguration, process: Subprocess, client: QMPClient, console: SerialConsole,
        runtimeDirectory: RuntimeDirectory, monitorPath: String, agentPath: String?, agent: GuestAgentClient?,
        consolePath: String?, namedPath: String?, options: Options, stderrReader: LineReader?
    ) {
        self.agentPath = agentPath
        self.agent = agent
        self.configuration = configuration
        self.process = process
        self.client = client
        self.console = console
        self.runtimeDirectory = runtimeDirectory
        self.monitorPath = monitorPath
        self.consolePath = consolePath
        self.namedPath = namedPath
        self.options = options
        self.stderrReader = stderrReader
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
    ///
    /// QEMU runs in a session of its own (the terminal's Ctrl-C and Ctrl-Z reach only the caller), in the caller's
    /// working directory, with its runtime directory under ``GuestDirectory/base``; that directory is removed when
    /// QEMU ends, whichever way. A disk without a format gets the one `qemu-img` probes.
    public static func launch(_ configuration: MachineConfiguration, options: Options = Options()) async throws -> Guest {
        var configuration = configuration
        try configuration.validate()
        for index in configuration.disks.indices where configuration.disks[index].format == nil {
            configuration.disks[index].format = await DiskImage.probedFormat(configuration.disks[index].file)
        }
        var arguments = try configuration.arguments()
        let (directory, lock, link) = try GuestDirectory.create(name: configuration.name)
        defer { close(lock) }
        do {
            let runnerMonitorPath = directory.file("qmp.sock")
            let monitorPath = (link.map { $0 + "/" } ?? directory.path + "/") + "monitor.sock"
            // The monitor sockets are bound before QEMU starts and handed over as fds 3 and 5: clients can connect
            // at once. The first is the runner's own; the second serves other clients (a QMP socket serves one
            // client at a time).
            let listener = try ListeningSocket(path: runnerMonitorPath)
            let publicListener = try ListeningSocket(path: directory.file("monitor.sock"))
            let (consoleEnd, guestEnd) = try SocketConnection.pair()
            arguments += ["-chardev", "socket,id=qmp,fd=3,server=on,wait=off", "-mon", "chardev=qmp,mode=control"]
            arguments += ["-chardev", "socket,id=qmp1,fd=5,server=on,wait=off", "-mon", "chardev=qmp1,mode=control"]
            // QEMU itself copies the console to the log. A detached guest outlives this process, so its console
            // goes to a socket others attach to (`qmpsh console`) and to the log file.
            let logPath = configuration.serialLog ?? directory.file("console.log")
            // The log is created (or checked and emptied) here through SafeFile: 0600, no symbolic link followed, no
            // file of another user reused. QEMU then appends to the file this process owns.
            do { close(try SafeFile.openForWriting(logPath)) } catch {
                throw RunnerError(.invalidConfiguration, "--serial-log: \(error)")
            }
            let escapedLog = QEMUOption.escape(logPath)
            var consolePath: String?
            var consoleListener: ListeningSocket?
            if options.detached {
                let listening = try ListeningSocket(path: directory.file("console.sock"))
                consoleListener = listening
                consolePath = (link.map { $0 + "/" } ?? directory.path + "/") + "console.sock"
                arguments += [
                    "-chardev", "socket,id=serial0,fd=7,server=on,wait=off,logfile=\(escapedLog),logappend=on",
                    "-serial", "chardev:serial0",
                ]
            } else {
                arguments += ["-chardev", "socket,id=serial0,fd=4,logfile=\(escapedLog),logappend=on", "-serial", "chardev:serial0"]
            }
            // ---- guest agent (issue 16): its port on a socket of the runtime directory ----
            let agentPath = configuration.agent ? directory.file("qga.sock") : nil
            if let agentPath { arguments += MachineConfiguration.agentArguments(socketPath: agentPath) }
            // ----
            let stderrPath = directory.file(options.detached ? "qemu.log" : "qemu.stderr")
            var stderrReader: LineReader?
            var stderrStream = Subprocess.Stream.file(stderrPath)
            if !options.detached {
                let reader = try LineReader(copyingTo: stderrPath, handler: options.standardError)
                stderrReader = reader
                stderrStream = .descriptor(reader.writeEnd)
            }
            var inherited = [(listener.fileDescriptor, Int32(3)), (guestEnd.fileDescriptor, 4), (publicListener.fileDescriptor, 5), (lock, 6)]
            if let consoleListener { inherited.append((consoleListener.fileDescriptor, 7)) }
            let process: Subprocess
            do {
                process = try withExtendedLifetime((listener, publicListener, guestEnd, consoleListener)) {
                    try Subprocess.launch(
                        [configuration.qemuBinary] + arguments, stderr: stderrStream, inheriting: inherited,
                        dieWithParent: !options.detached, newSession: true)
                }
            } catch {
                stderrReader?.closeWriteEnd()
                throw error
            }
            stderrReader?.closeWriteEnd()
            GuestDirectory.watch(directory, link: link)
            GuestDirectory.writeRecord(GuestRecord(
                name: configuration.name, pid: Int(process.pid), monitor: monitorPath, console: consolePath,
                started: GuestDirectory.now(), directory: directory.path))
            // Our copies of the listeners and QEMU's console end are released here: QEMU has its own, and if it exits
            // our connections are reset rather than left waiting.
            let console = SerialConsole(connection: consoleEnd, logPath: logPath)
            let client: QMPClient
            do {
                var qmp = options.monitor
                qmp.greetingTimeout = options.monitorTimeout
                // Connect, unless QEMU exits first: then stop waiting for a greeting that cannot come.
                let connecting = Task { try await QMPClient.connect(to: .unix(path: runnerMonitorPath), configuration: qmp) }
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
                await stderrReader?.finished(timeout: .seconds(2))
                let stderr = (readTextFile(stderrPath) ?? "").trimmingCharacters
                throw RunnerError(
                    .qemuExited,
                    "QEMU \(termination.map { "exited (\($0))" } ?? "did not answer") before its monitor was ready"
                        + (stderr.isEmpty ? ": \(error)" : ": \(stderr)"))
            }
            // QEMU listens on the agent socket by now (it answered on the monitor).
            let agent: GuestAgentClient?
            do {
                // Not synchronised yet (the agent starts with the guest); the connect is bounded, no thread waits.
                agent = if let agentPath {
                    try await GuestAgentClient.connect(
                        to: .unix(path: agentPath), configuration: options.agent, synchronizes: false)
                } else {
                    nil
                }
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
                consolePath: consolePath, namedPath: link, options: options, stderrReader: stderrReader)
            if configuration.resolvedAccelerator == .kvm, configuration.kernel != nil, let limit = options.kvmProgressTimeout {
                do {
                    try await Self.waitForFirstOutput(of: console, limit: limit, options: options)
                } catch {
                    // Known to be hung: a power button it cannot see would only add its timeout.
                    await guest.shutdownShielded(skippingPowerdown: true)
                    throw RunnerError(
                        .noProgress,
                        "the guest printed nothing on its console within \(limit) under KVM: this host's KVM may not run guests; try --accel tcg")
                }
            }
            return guest
        } catch {
            if let link { unlink(link) }
            directory.remove()
            throw error
        }
    }

    /// Waits up to `limit` for the console's first output, saying so on ``Options/progress`` (again every
    /// ``Options/progressInterval``) or once on ``Options/waitNotice``.
    private static func waitForFirstOutput(of console: SerialConsole, limit: Duration, options: Options) async throws {
        let say = options.progress ?? options.waitNotice
        say?("# KVM: waiting up to \(limit) for the guest's first console output")
        guard options.progress != nil, let interval = options.progressInterval, interval > .zero else {
            return try await console.waitForOutput(timeout: limit)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            let remaining = deadline - clock.now
            do {
                return try await console.waitForOutput(timeout: min(interval, max(remaining, .milliseconds(1))))
            } catch let error as RunnerError where error.code == .timedOut && clock.now < deadline {
                let waited = Int((limit - (deadline - clock.now)).components.seconds)
                options.progress?("# KVM: still no console output after \(waited) s (giving up after \(limit))")
            }
        }
    }

    /// Stops the guest: `system_powerdown` and a wait, then `quit`, then SIGTERM, then SIGKILL — each step only if
    /// the one before did not end QEMU. Closes the monitor and console and removes the runtime directory.
    ///
    /// Cancelling the caller does not cut the ladder short: it runs in a task of its own (a cancelled task could
    /// not send `quit`, and QEMU would wait for SIGTERM instead).
    @discardableResult
    public func shutdown() async -> Termination {
        await shutdown(skippingPowerdown: false)
    }

    /// The shutdown ladder; `skippingPowerdown` starts at `quit` (for a guest known to be hung).
    @discardableResult
    public func shutdown(skippingPowerdown: Bool) async -> Termination {
        await Task { await self.runShutdownLadder(skippingPowerdown: skippingPowerdown) }.value
    }

    private func runShutdownLadder(skippingPowerdown: Bool) async -> Termination {
        let progress = options.progress
        var termination = process.termination
        if termination == nil, options.powerdownTimeout > .zero, !skippingPowerdown {
            progress?("# asking the guest to power down (system_powerdown, up to \(options.powerdownTimeout))")
            _ = try? await client.execute("system_powerdown", timeout: .seconds(2))
            termination = await process.wait(timeout: options.powerdownTimeout)
        }
        if termination == nil {
            progress?("# telling QEMU to quit")
            _ = try? await client.execute("quit", timeout: .seconds(2))
            termination = await process.wait(timeout: options.quitTimeout)
        }
        if termination == nil {
            progress?("# QEMU did not quit: SIGTERM")
            process.signal(SIGTERM)
            termination = await process.wait(timeout: options.quitTimeout)
        }
        if termination == nil {
            progress?("# QEMU did not end: SIGKILL")
            process.signal(SIGKILL)
            termination = await process.wait()
        }
        await client.close()
        await agent?.close()
        console.close()
        await stderrReader?.finished(timeout: .seconds(2))
        if !options.detached {
            if let namedPath { GuestDirectory.unlinkName(namedPath, pointingTo: runtimeDirectory) }
            runtimeDirectory.remove()
        }
        return termination!
    }

    /// Runs the shutdown ladder to its end, whether or not the caller is cancelled.
    func shutdownShielded(skippingPowerdown: Bool = false) async {
        await shutdown(skippingPowerdown: skippingPowerdown)
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
