import ArgumentParser
import MonitorShell
import QEMURunner
import QMP
#if canImport(Glibc)
import Glibc
#endif

struct Boot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot a QEMU guest: follow its serial console, or leave it running (--detach).",
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

    @Option(help: "A JSON file with the machine configuration; options given here override it.")
    var config: String?
    @Option(help: "Guest name.")
    var name: String?
    @Option(name: [.customShort("m"), .long], help: "Memory in MiB, optionally with slots=N,maxmem=SIZE for hot-plug.")
    var memory: String?
    @Option(help: "CPUs, optionally with maxcpus=M for hot-plug: N[,maxcpus=M].")
    var smp: String?
    @Option(name: [.customShort("M"), .long], help: "Machine type (pc, q35, ...).")
    var machine: String?
    @Option(help: "Accelerator: kvm, tcg or auto (KVM when /dev/kvm is usable).")
    var accel: String?
    @Option(help: "Disk image as the first IDE disk.")
    var hda: String?
    @Option(help: "A disk: file=F[,format=qcow2][,if=virtio][,id=ID][,readonly=on] (repeatable).")
    var drive: [String] = []
    @Option(help: "An ISO for the CD drive (device id cdrom0).")
    var cdrom: String?
    @Option(help: "Boot order: c (disk), d (CD-ROM), n (network).")
    var boot: String?
    @Option(help: "Kernel to boot directly.")
    var kernel: String?
    @Option(help: "Initial ramdisk (needs --kernel).")
    var initrd: String?
    @Option(help: "Kernel command line (needs --kernel).")
    var append: String?
    @Option(help: "Network: user[,hostfwd=tcp::2222-:22], bridge=BR, tap=IF or none (repeatable).")
    var net: [String] = []
    @Option(help: "MAC address of the first NIC.")
    var mac: String?
    @Flag(help: "Add a virtio balloon (device id balloon0).")
    var balloon = false
    @Option(help: "Spare PCIe root ports hp1..hpN for hot-plug (q35).")
    var hotplugSlots: Int?
    @Option(help: "Copy the serial console to this file.")
    var serialLog: String?
    @Option(help: "The QEMU binary.")
    var qemu: String?
    @Option(parsing: .unconditionalSingleValue, help: "A further QEMU argument, passed as is (repeatable; may start with a dash).")
    var extra: [String] = []
    @Flag(help: "Leave the guest running and exit once its monitor is ready.")
    var detach = false
    @Flag(help: "Open the monitor shell on the guest once it is up; the guest is shut down when the shell ends.")
    var shell = false

    func validate() throws {
        if shell && detach { throw ValidationError("--shell and --detach exclude each other") }
        do {
            _ = try machineConfiguration()
        } catch let error as RunnerError {
            throw ValidationError(error.message)
        }
    }

    func machineConfiguration() throws -> MachineConfiguration {
        var configuration = MachineConfiguration()
        if let config {
            guard let text = readTextFile(config) else { throw RunnerError(.invalidConfiguration, "cannot read --config \(config)") }
            do {
                configuration = try JSONValueDecoder().decode(MachineConfiguration.self, from: JSON(parsing: text))
            } catch {
                throw RunnerError(.invalidConfiguration, "--config \(config): \(error)")
            }
        }
        if let name { configuration.name = name }
        if let memory { configuration.memory = try Self.parseMemory(memory) }
        if let smp { configuration.cpus = try Self.parseSMP(smp) }
        if let machine { configuration.machine = machine }
        if let accel {
            guard let value = MachineConfiguration.Accelerator(rawValue: accel) else {
                throw RunnerError(.invalidConfiguration, "--accel \(accel): use kvm, tcg or auto")
            }
            configuration.accelerator = value
        }
        if let hda { configuration.disks.append(.init(file: hda, interface: "ide")) }
        for spec in drive { configuration.disks.append(try .init(parsing: spec)) }
        if let cdrom { configuration.cdrom = cdrom }
        if let boot { configuration.boot = boot }
        if let kernel { configuration.kernel = kernel }
        if let initrd { configuration.initrd = initrd }
        if let append { configuration.append = append }
        for spec in net { configuration.networks.append(try NetworkBackend(parsing: spec)) }
        if let mac { configuration.mac = mac }
        if balloon { configuration.balloon = true }
        if let hotplugSlots { configuration.hotplugSlots = hotplugSlots }
        if let serialLog { configuration.serialLog = serialLog }
        if let qemu { configuration.qemu = qemu }
        configuration.extraArguments += extra
        try configuration.validate()
        return configuration
    }

    /// `256` or `256,slots=2,maxmem=1G`.
    static func parseMemory(_ text: String) throws -> MachineConfiguration.MemorySize {
        let parts = text.split(separator: ",").map(String.init)
        guard let megabytes = Int(parts.first ?? "") else {
            throw RunnerError(.invalidConfiguration, "-m \(text): give the memory in MiB, e.g. -m 256,slots=2,maxmem=1G")
        }
        var size = MachineConfiguration.MemorySize(megabytes: megabytes)
        for option in parts.dropFirst() {
            if option.hasPrefix("slots="), let slots = Int(option.dropFirst(6)) {
                size.slots = slots
            } else if option.hasPrefix("maxmem=") {
                size.maximum = String(option.dropFirst(7))
            } else {
                throw RunnerError(.invalidConfiguration, "-m: unknown option '\(option)' (use slots=N,maxmem=SIZE)")
            }
        }
        return size
    }

    /// `2` or `1,maxcpus=2`.
    static func parseSMP(_ text: String) throws -> MachineConfiguration.CPUCount {
        let parts = text.split(separator: ",").map(String.init)
        guard let count = Int(parts.first ?? "") else {
            throw RunnerError(.invalidConfiguration, "--smp \(text): give a number of CPUs, e.g. --smp 1,maxcpus=2")
        }
        var cpus = MachineConfiguration.CPUCount(count: count)
        for option in parts.dropFirst() {
            guard option.hasPrefix("maxcpus="), let maximum = Int(option.dropFirst(8)) else {
                throw RunnerError(.invalidConfiguration, "--smp: unknown option '\(option)' (use maxcpus=M)")
            }
            cpus.maximum = maximum
        }
        return cpus
    }

    func run() async throws {
        let configuration = try machineConfiguration()
        var options = Guest.Options()
        options.detached = detach
        try await reportingErrors {
            let guest = try await Guest.launch(configuration, options: options)
            if detach {
                await guest.detach()
                Output.out("monitor: \(guest.monitorPath)\npid: \(guest.process.pid)\n")
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
        let status = await Shell.runREPL(sessions: [session], options: MonitorREPL.Options(), history: nil, closingSessions: false)
        Output.err("# shutting the guest down (system_powerdown, then quit)\n")
        let termination = await guest.shutdown()
        Output.err("# QEMU ended: \(termination)\n")
        if status != 0 { throw ExitCode(status) }
    }
}
