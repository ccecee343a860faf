import ArgumentParser
import QEMURunner
import QMP
import QMPSchema
import QMPWire

/// The options that describe a guest to boot, with the names of QEMU's own command line. Shared by `boot` and
/// `run` (which boots a guest when it is given these instead of --monitor).
struct BootOptions: ParsableArguments {
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
    @Option(help: "Seconds the guest gets to power off after system_powerdown before QEMU is told to quit (0 skips it).")
    var powerdownTimeout: Double = 10

    /// Whether any option that describes a guest was given.
    var isEmpty: Bool {
        config == nil && name == nil && memory == nil && smp == nil && machine == nil && accel == nil && hda == nil
            && drive.isEmpty && cdrom == nil && boot == nil && kernel == nil && initrd == nil && append == nil
            && net.isEmpty && mac == nil && !balloon && hotplugSlots == nil && serialLog == nil && qemu == nil
            && extra.isEmpty
    }

    /// Guest options for the runner.
    func guestOptions() -> Guest.Options {
        var options = Guest.Options()
        options.powerdownTimeout = Seconds.duration(clamping: powerdownTimeout, allowsZero: true)
        return options
    }

    func validate() throws {
        try checkSeconds(powerdownTimeout, "--powerdown-timeout", allowsZero: true)
        do {
            _ = try machineConfiguration()
        } catch let error as RunnerError {
            throw ValidationError(error.message)
        }
    }

    func machineConfiguration() throws -> MachineConfiguration {
        var configuration = MachineConfiguration()
        if let config {
            guard var text = readTextFile(config) else { throw RunnerError(.invalidConfiguration, "cannot read --config \(config)") }
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }  // a UTF-8 byte order mark is not JSON
            do {
                let json = try JSON(parsing: text)
                // A misspelt key must not be ignored while the guest boots without it.
                if let unknown = MachineConfiguration.unknownKeys(in: json).first {
                    let place = unknown.location.isEmpty ? "" : " in \(unknown.location)"
                    let hint = Suggestion.closest(to: unknown.key, in: unknown.known).map { " — did you mean '\($0)'?" }
                        ?? " (known keys: \(unknown.known.joined(separator: ", ")))"
                    throw RunnerError(.invalidConfiguration, "--config \(config): unknown key '\(unknown.key)'\(place)\(hint)")
                }
                configuration = try JSONValueDecoder().decode(MachineConfiguration.self, from: json)
            } catch let error as RunnerError {
                throw error
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

}
