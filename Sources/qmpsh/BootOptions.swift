import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMP
import QMPSchema
import QMPWire

/// The options that describe a guest to boot, with the names of QEMU's own command line. Shared by `boot` and
/// `run` (which boots a guest when it is given these instead of --monitor).
struct BootOptions: ParsableArguments {
    @Option(help: "A JSON file with the machine configuration; options given here override it.")
    var config: String?
    @Option(help: "Guest name: its monitor is then $XDG_RUNTIME_DIR/qmpsh/NAME/monitor.sock, and NAME works as a MONITOR.")
    var name: String?
    @Option(name: [.customShort("m"), .long], help: "Memory: MiB or a size (1G, 1024M), optionally with slots=N,maxmem=SIZE for hot-plug.")
    var memory: String?
    @Option(help: "CPUs, optionally with maxcpus=M for hot-plug: N[,maxcpus=M].")
    var smp: String?
    @Option(name: [.customShort("M"), .long], help: "Machine type (pc, q35, ...).")
    var machine: String?
    @Option(help: "Accelerator: kvm, tcg or auto (KVM when /dev/kvm is usable).")
    var accel: String?
    @Option(help: "Disk image as the first IDE disk (drive ide0-hd0; its format is probed with qemu-img).")
    var hda: String?
    @Option(help: "Disk image as the second IDE disk (drive ide0-hd1).")
    var hdb: String?
    @Option(help: "A disk: file=F[,format=qcow2][,if=virtio][,id=ID][,readonly=on][,cache=..][,discard=..][,aio=..] (repeatable).")
    var drive: [String] = []
    @Option(help: "An ISO for the CD drive (drive ide1-cd0 on pc, device id cdrom0).")
    var cdrom: String?
    @Option(help: "Boot order: c (disk), d (CD-ROM), n (network).")
    var boot: String?
    @Option(help: "Kernel to boot directly.")
    var kernel: String?
    @Option(help: "Initial ramdisk (needs --kernel).")
    var initrd: String?
    @Option(help: "Kernel command line (needs --kernel).")
    var append: String?
    @Option(help: """
        Network: user[,hostfwd=tcp::2222-:22], bridge=BR, tap=IF or none (repeatable); QEMU's forms work too: \
        nic[,model=e1000][,macaddr=MAC], bridge,br=BR. Default: user (QEMU's user-mode NIC, as plain QEMU has); \
        --net none for no network.
        """)
    var net: [String] = []
    @Option(help: "A NIC as QEMU spells it: user|bridge|tap|none[,model=e1000|virtio][,mac=MAC][,hostfwd=..][,br=BR] (repeatable).")
    var nic: [String] = []
    @Option(help: "MAC address of the first NIC (unicast; default: a generated 52:54:00:xx:xx:xx).")
    var mac: String?
    @Option(help: "Video device: std, virtio, cirrus, qxl or none (default std when booting a disk or CD without --kernel).")
    var vga: String?
    @Option(help: "Where the screen goes: none (default) or vnc=127.0.0.1:N.")
    var display: String?
    @Option(help: "CPU model (-cpu help lists them).")
    var cpu: String?
    @Option(parsing: .unconditionalSingleValue, help: "A QEMU -device, passed as is (repeatable).")
    var device: [String] = []
    @Option(parsing: .unconditionalSingleValue, help: "A QEMU -netdev, passed as is (repeatable).")
    var netdev: [String] = []
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
            && extra.isEmpty && hdb == nil && nic.isEmpty && vga == nil && display == nil && cpu == nil
            && device.isEmpty && netdev.isEmpty
    }

    /// Guest options for the runner.
    func guestOptions() -> Guest.Options {
        var options = Guest.Options()
        options.powerdownTimeout = Seconds.duration(clamping: powerdownTimeout, allowsZero: true)
        // QEMU's warnings as they come, and on a terminal the steps of slow operations.
        options.standardError = { line in Output.err("qemu: \(line)\n") }
        if isatty(2) == 1 {
            options.progress = { line in Output.err(line + "\n") }
            options.progressInterval = .seconds(5)  // issue 15: no silence longer than 5 s on a terminal
        }
        options.waitNotice = { line in Output.err(line + "\n") }
        return options
    }

    /// `-M help`, `-M ?`, `-cpu help`: QEMU's own list is wanted, not a guest.
    var qemuHelpRequest: [String]? {
        if let machine, ["help", "?"].contains(machine) { return ["-machine", "help"] }
        if let cpu, ["help", "?"].contains(cpu) { return ["-cpu", "help"] }
        if let device = device.first(where: { ["help", "?"].contains($0) }) { return ["-device", device] }
        return nil
    }

    func validate() throws {
        try checkSeconds(powerdownTimeout, "--powerdown-timeout", allowsZero: true)
        if qemuHelpRequest != nil { return }
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
        for (index, file) in [(0, hda), (1, hdb)] {
            guard let file else { continue }
            configuration.disks.append(.init(file: file, interface: "ide", id: MachineConfiguration.legacyDiskDriveID(index: index), index: index))
        }
        for spec in drive { configuration.disks.append(try .init(parsing: spec)) }
        if let cdrom { configuration.cdrom = cdrom }
        if let boot { configuration.boot = boot }
        if let kernel { configuration.kernel = kernel }
        if let initrd { configuration.initrd = initrd }
        if let append { configuration.append = append }
        for spec in net { try Self.applyNet(spec, to: &configuration) }
        for spec in nic { try Self.applyNIC(spec, to: &configuration) }
        if let mac { configuration.mac = mac }
        // QEMU's default: a user-mode NIC, unless the guest says otherwise (--net none).
        if configuration.networks.isEmpty { configuration.networks = [.user(hostForwards: [])] }
        if let vga { configuration.vga = vga }
        if let display { configuration.display = display }
        if let cpu { configuration.cpu = cpu }
        for spec in device { configuration.extraArguments += ["-device", spec] }
        for spec in netdev { configuration.extraArguments += ["-netdev", spec] }
        if balloon { configuration.balloon = true }
        if let hotplugSlots { configuration.hotplugSlots = hotplugSlots }
        if let serialLog { configuration.serialLog = serialLog }
        if let qemu { configuration.qemu = qemu }
        configuration.extraArguments += extra
        try configuration.validate()
        return configuration
    }

    /// `256`, `1G`, `1024M`, or with hot-plug `256,slots=2,maxmem=1G` (QEMU's `size=` key works too).
    static func parseMemory(_ text: String) throws -> MachineConfiguration.MemorySize {
        var parts = text.split(separator: ",").map(String.init)
        if parts.first?.hasPrefix("size=") == true { parts[0] = String(parts[0].dropFirst(5)) }
        guard let megabytes = Self.megabytes(parts.first ?? "") else {
            throw RunnerError(
                .invalidConfiguration, "-m \(text): give the memory in MiB or with a unit, e.g. -m 1024, -m 1G or -m 256,slots=2,maxmem=1G")
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

    /// MiB of `512` (MiB, as QEMU reads a bare number) or `1G`, `1g`, `1024M`, `524288K`.
    static func megabytes(_ text: String) -> Int? {
        if let plain = Int(text) { return plain }
        guard let last = text.last, "KkMmGgTt".contains(last), let bytes = MachineConfiguration.parseSize(text),
            bytes % (1 << 20) == 0, bytes >> 20 <= UInt64(Int.max)
        else { return nil }
        return Int(bytes >> 20)
    }

    /// `-net`/`--net`: this tool's forms (user[,hostfwd=..], bridge=BR, tap=IF, none) and QEMU's
    /// (`nic,model=..,macaddr=..`, `user`, `bridge,br=BR`, `tap,ifname=IF`).
    static func applyNet(_ spec: String, to configuration: inout MachineConfiguration) throws {
        let parts = QEMUOption.split(spec)
        switch parts[0] {
        case "nic":
            for option in parts.dropFirst() {
                let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
                switch (pair.first, pair.count) {
                case ("model"?, 2): configuration.nicModel = pair[1]
                case ("macaddr"?, 2), ("mac"?, 2): configuration.mac = pair[1]
                default:
                    throw RunnerError(.invalidConfiguration, "-net nic: unknown option '\(option)' (use model=, macaddr=)")
                }
            }
        case "bridge" where parts.count > 1:
            guard parts.count == 2, parts[1].hasPrefix("br="), parts[1].count > 3 else {
                throw RunnerError(.invalidConfiguration, "-net \(spec): use bridge,br=BRIDGE (or bridge=BRIDGE)")
            }
            configuration.networks.append(.bridge(String(parts[1].dropFirst(3))))
        case "tap" where parts.count > 1:
            guard parts.count == 2, parts[1].hasPrefix("ifname="), parts[1].count > 7 else {
                throw RunnerError(.invalidConfiguration, "-net \(spec): use tap,ifname=IF (or tap=IF)")
            }
            configuration.networks.append(.tap(String(parts[1].dropFirst(7))))
        default:
            configuration.networks.append(try NetworkBackend(parsing: spec))
        }
    }

    /// `--nic TYPE[,model=..][,mac=..][,hostfwd=..][,br=..][,ifname=..]`, as QEMU's `-nic`.
    static func applyNIC(_ spec: String, to configuration: inout MachineConfiguration) throws {
        let parts = QEMUOption.split(spec)
        var backend: [String] = [parts[0]]
        for option in parts.dropFirst() {
            if option.hasPrefix("model=") {
                configuration.nicModel = String(option.dropFirst(6))
            } else if option.hasPrefix("mac=") {
                configuration.mac = String(option.dropFirst(4))
            } else {
                backend.append(option)
            }
        }
        try applyNet(backend.map(QEMUOption.escape).joined(separator: ","), to: &configuration)
    }

    /// `2` or `1,maxcpus=2`.
    static func parseSMP(_ text: String) throws -> MachineConfiguration.CPUCount {
        var parts = text.split(separator: ",").map(String.init)
        if parts.first?.hasPrefix("cpus=") == true { parts[0] = String(parts[0].dropFirst(5)) }
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
