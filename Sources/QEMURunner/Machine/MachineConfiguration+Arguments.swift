#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension MachineConfiguration {
    /// The accelerator to use: `auto` becomes `kvm` when `/dev/kvm` can be opened read-write, else `tcg`.
    public var resolvedAccelerator: Accelerator {
        switch accelerator {
        case .kvm, .tcg: return accelerator
        case .auto: return MachineConfiguration.kvmUsable ? .kvm : .tcg
        }
    }

    /// `/dev/kvm` exists and this user may open it.
    public static var kvmUsable: Bool {
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    /// Checks the configuration; the error says what to change.
    public func validate() throws(RunnerError) {
        func refuse(_ message: String) -> RunnerError { RunnerError(.invalidConfiguration, message) }
        guard memory.megabytes >= 16 else { throw refuse("-m \(memory.megabytes): a guest needs at least 16 MiB") }
        if (memory.slots == nil) != (memory.maximum == nil) {
            throw refuse("memory hot-plug needs both slots and maxmem, e.g. -m 256,slots=2,maxmem=1G")
        }
        if let maximum = memory.maximum {
            guard let bytes = MachineConfiguration.parseSize(maximum) else {
                throw refuse("maxmem=\(maximum) is not a size: use e.g. 1G or 2048M")
            }
            guard bytes > UInt64(memory.megabytes) << 20 else {
                throw refuse("maxmem=\(maximum) must be more than the boot memory (\(memory.megabytes) MiB)")
            }
            guard let slots = memory.slots, slots >= 1, slots <= 256 else { throw refuse("slots must be from 1 to 256") }
        }
        guard cpus.count >= 1 else { throw refuse("--smp needs at least 1 CPU") }
        if let maximum = cpus.maximum, maximum < cpus.count {
            throw refuse("--smp \(cpus.count),maxcpus=\(maximum): maxcpus must be at least the number of CPUs")
        }
        if hotplugSlots > 0 && !isQ35 {
            throw refuse("--hotplug-slots needs -M q35 (on the pc machine devices are hot-plugged onto the root bus directly)")
        }
        guard hotplugSlots >= 0 && hotplugSlots <= 32 else { throw refuse("--hotplug-slots must be from 0 to 32") }
        if kernel == nil && (initrd != nil || append != nil) {
            throw refuse("--initrd and --append need --kernel")
        }
        if let boot, boot.isEmpty || !boot.allSatisfy({ "acdn".contains($0) }) {
            throw refuse("--boot \(boot): use c (disk), d (CD-ROM) or n (network)")
        }
        if let name {
            guard !name.isEmpty, name.utf8.count <= 64, !name.contains("/"), name != ".", name != "..",
                !name.hasPrefix("."), name.allSatisfy({ !$0.isNewline })
            else {
                throw refuse("--name '\(name)': use 1 to 64 characters, no '/', not starting with '.'")
            }
        }
        if let vga, !Self.vgaTypes.contains(vga) {
            throw refuse("--vga \(vga): use \(Self.vgaTypes.joined(separator: ", "))")
        }
        if let display, display != "none", !display.hasPrefix("vnc="), !["gtk", "sdl", "curses"].contains(display) {
            throw refuse("--display \(display): use none or vnc=127.0.0.1:N")
        }
        if let nicModel, !Self.nicModels.contains(nicModel) {
            throw refuse("NIC model \(nicModel): use \(Self.nicModels.joined(separator: ", "))")
        }
        if networks.contains(.none) && networks.count > 1 { throw refuse("--net none cannot be combined with other networks") }
        if let mac {
            let parts = mac.split(separator: ":")
            guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else {
                throw refuse("--mac \(mac) is not a MAC address like 52:54:00:12:34:56")
            }
            guard let first = UInt8(parts[0], radix: 16), first & 1 == 0 else {
                throw refuse("--mac \(mac) is a multicast address: a NIC needs a unicast one (first byte even, e.g. 52:54:00:12:34:56)")
            }
            guard networks.contains(where: { $0 != .none }) else { throw refuse("--mac needs a --net (e.g. --net user)") }
        }
        for disk in disks {
            if let interface = disk.interface, !["ide", "virtio", "scsi", "none", "sd", "floppy"].contains(interface) {
                throw refuse("--drive if=\(interface): use ide, virtio, scsi or none")
            }
            if let format = disk.format, !["qcow2", "raw", "vmdk", "vdi", "vhdx", "qed", "vpc", "parallels", "dmg", "cloop", "bochs", "luks"].contains(format) {
                throw refuse("--drive format=\(format) is not an image format QEMU reads (qcow2, raw, ...)")
            }
        }
        let files = disks.map { ("disk", $0.file) } + [("--cdrom", cdrom), ("--kernel", kernel), ("--initrd", initrd)]
            .compactMap { name, path in path.map { (name, $0) } }
        for (what, path) in files where access(path, R_OK) != 0 {
            throw refuse("\(what) \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// `-drive` options passed through as given (after `--drive file=…,`).
    public static let passThroughDriveOptions: Set<String> = [
        "cache", "discard", "aio", "detect-zeroes", "werror", "rerror", "copy-on-read", "snapshot", "serial", "media",
    ]

    /// NIC models accepted by `--nic model=` / `-net nic,model=` (`virtio` is `virtio-net-pci`).
    public static let nicModels = ["virtio-net-pci", "virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "ne2k_pci"]

    /// Video devices accepted by `--vga`.
    public static let vgaTypes = ["std", "virtio", "cirrus", "qxl", "none"]

    /// The video device in effect: ``vga``, else `std` for a guest that boots from a disk or CD, else `none`.
    public var effectiveVGA: String {
        if let vga { return vga }
        return kernel == nil && (!disks.isEmpty || cdrom != nil) ? "std" : "none"
    }

    /// QEMU's arguments for this configuration, without the program name and without the monitor and serial
    /// console, which ``Guest`` adds. Every user-supplied value inside an option string goes through
    /// ``QEMUOption/escape(_:)``.
    public func arguments() throws(RunnerError) -> [String] {
        try validate()
        let escape = QEMUOption.escape
        var arguments = ["-nodefaults"]
        switch display ?? "none" {
        case "none": arguments += ["-display", "none"]
        case let vnc where vnc.hasPrefix("vnc="): arguments += ["-display", "vnc=" + escape(String(vnc.dropFirst(4)))]
        case let other: arguments += ["-display", escape(other)]
        }
        arguments.append("-no-user-config")
        if let name { arguments += ["-name", "guest=" + escape(name)] }
        // -M is an option string of the user's own (`-M pc,smm=off`), as -cpu is.
        arguments += ["-machine", machineType, "-accel", resolvedAccelerator.rawValue]
        if let cpu { arguments += ["-cpu", cpu] }
        var memoryOption = "\(memory.megabytes)"
        if let slots = memory.slots, let maximum = memory.maximum {
            memoryOption += ",slots=\(slots)," + QEMUOption.pair("maxmem", maximum)
        }
        arguments += ["-m", memoryOption]
        arguments += ["-smp", cpus.maximum.map { "\(cpus.count),maxcpus=\($0)" } ?? "\(cpus.count)"]
        if effectiveVGA != "none" { arguments += ["-vga", effectiveVGA] }
        for (position, disk) in disks.enumerated() {
            var drive = [QEMUOption.pair("file", disk.file)]
            drive.append(QEMUOption.pair("if", disk.interface ?? "ide"))
            if let format = disk.format { drive.append(QEMUOption.pair("format", format)) }
            drive.append(QEMUOption.pair("id", disk.id ?? "disk\(position)"))
            if disk.readOnly == true { drive.append("readonly=on") }
            if disk.interface == nil || disk.interface == "ide" { drive.append("index=\(disk.index ?? position)") }
            for (key, value) in (disk.options ?? [:]).sorted(by: { $0.key < $1.key }) { drive.append(QEMUOption.pair(key, value)) }
            arguments += ["-drive", drive.joined(separator: ",")]
        }
        if let cdrom {
            let drive = cdromDriveID
            arguments += ["-drive", "if=none,id=\(drive),media=cdrom,readonly=on," + QEMUOption.pair("file", cdrom)]
            arguments += ["-device", "ide-cd,drive=\(drive),bus=ide.\(isQ35 ? 2 : 1),id=\(Self.cdromDeviceID)"]
        }
        if let boot { arguments += ["-boot", boot] }  // validated: letters of acdn only
        if let kernel { arguments += ["-kernel", kernel] }
        if let initrd { arguments += ["-initrd", initrd] }
        if let append { arguments += ["-append", append] }
        var model = nicModel ?? "virtio-net-pci"
        if model == "virtio" { model = "virtio-net-pci" }
        for (index, network) in networks.enumerated() {
            let id = "net\(index)"
            switch network {
            case .none: continue
            case .user(let forwards):
                arguments += ["-netdev", (["user", "id=\(id)"] + forwards.map { QEMUOption.pair("hostfwd", $0) }).joined(separator: ",")]
            case .bridge(let bridge): arguments += ["-netdev", "bridge,id=\(id)," + QEMUOption.pair("br", bridge)]
            case .tap(let interface):
                arguments += ["-netdev", "tap,id=\(id)," + QEMUOption.pair("ifname", interface) + ",script=no,downscript=no"]
            }
            let address = index == 0 ? (mac ?? Self.generatedMAC()) : Self.generatedMAC()
            arguments += ["-device", "\(escape(model)),netdev=\(id),id=nic\(index)," + QEMUOption.pair("mac", address)]
        }
        if balloon { arguments += ["-device", "virtio-balloon-pci,id=\(Self.balloonDeviceID)"] }
        for slot in 0..<hotplugSlots {
            arguments += ["-device", "pcie-root-port,id=hp\(slot + 1),chassis=\(slot + 1),slot=\(slot + 1),bus=pcie.0"]
        }
        arguments += extraArguments
        return arguments
    }

    /// A random locally administered unicast MAC in QEMU's `52:54:00` range.
    public static func generatedMAC() -> String {
        "52:54:00:" + (0..<3).map { _ in
            let byte = UInt8.random(in: 0...255)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined(separator: ":")
    }

    /// QEMU's option syntax doubles a comma inside a value (``QEMUOption/escape(_:)``).
    static func escapeOption(_ value: String) -> String {
        QEMUOption.escape(value)
    }

    /// Bytes of a size such as `1G`, `512M`, `64K`, `2T` or a plain number of bytes.
    public static func parseSize(_ text: String) -> UInt64? {
        guard let last = text.last else { return nil }
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        if let unit = units[Character(last.uppercased())] {
            guard let number = UInt64(text.dropLast()), number > 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: unit)
            return overflow ? nil : product
        }
        return UInt64(text)
    }
}

