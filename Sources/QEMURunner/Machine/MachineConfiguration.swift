#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A guest to boot, as a typed value; loadable from JSON (`qmpsh boot --config FILE`) with the same field names.
///
/// ``arguments()`` turns it into QEMU's argv (never a shell command line), refusing combinations that cannot work
/// with a message that says what to change.
///
/// ```swift
/// var machine = MachineConfiguration()
/// machine.memory = MemorySize(megabytes: 256, slots: 2, maximum: "1G")
/// machine.kernel = "/path/vmlinuz"
/// machine.accelerator = .tcg
/// ```
public struct MachineConfiguration: Sendable, Codable, Equatable {
    /// `kvm`, `tcg`, or `auto` (KVM when `/dev/kvm` is usable, else TCG).
    public enum Accelerator: String, Sendable, Codable, CaseIterable {
        /// `kvm` needs a usable `/dev/kvm`; `tcg` emulates (slower, works everywhere); `auto` picks KVM when it is
        /// usable.
        case kvm, tcg, auto
    }

    /// Memory: the boot size in MiB, and slots + maximum for memory hot-plug.
    public struct MemorySize: Sendable, Codable, Equatable {
        /// The memory at boot, in MiB (`-m 256`).
        public var megabytes: Int
        /// Slots for hot-plugged memory (1 to 256); set together with ``maximum``.
        public var slots: Int?
        /// Upper limit for hot-plugged memory, with a unit (`1G`, `2048M`).
        public var maximum: String?

        /// `megabytes` MiB at boot; for memory hot-plug give both `slots` and `maximum`.
        public init(megabytes: Int, slots: Int? = nil, maximum: String? = nil) {
            self.megabytes = megabytes
            self.slots = slots
            self.maximum = maximum
        }
    }

    /// CPUs at boot, and the maximum for CPU hot-plug.
    public struct CPUCount: Sendable, Codable, Equatable {
        /// The CPUs at boot (`-smp N`).
        public var count: Int
        /// The most CPUs hot-plug may reach (`maxcpus=`), at least ``count``; nil for none beyond ``count``.
        public var maximum: Int?

        /// `count` CPUs at boot, and up to `maximum` with hot-plug.
        public init(count: Int, maximum: Int? = nil) {
            self.count = count
            self.maximum = maximum
        }
    }

    /// A disk: `-drive file=F,format=..,if=..,id=..`.
    public struct Disk: Sendable, Codable, Equatable {
        /// The image file, passed to QEMU as given (QEMU runs in this process's working directory).
        public var file: String
        /// The image format (`qcow2`, `raw`); nil lets QEMU probe it, which QEMU warns about for raw images.
        public var format: String?
        /// `ide`, `virtio`, `scsi`, `none` (for a `-device` given with `extraArguments`).
        public var interface: String?
        /// The drive's id; `disk0`, `disk1`, ... by position when nil.
        public var id: String?
        /// Attach the image read-only (`readonly=on`).
        public var readOnly: Bool?
        /// The IDE position (`index=`); by default the disk's position in ``MachineConfiguration/disks``.
        public var index: Int?
        /// Further `-drive` options passed through as `key=value` (``MachineConfiguration/passThroughDriveOptions``:
        /// `cache=`, `discard=`, `aio=`, ...).
        public var options: [String: String]?

        /// A disk with these `-drive` settings; only `file` is required.
        public init(
            file: String, format: String? = nil, interface: String? = nil, id: String? = nil, readOnly: Bool? = nil,
            index: Int? = nil, options: [String: String]? = nil
        ) {
            self.file = file
            self.format = format
            self.interface = interface
            self.id = id
            self.readOnly = readOnly
            self.index = index
            self.options = options
        }
    }

    /// The guest's name (`-name guest=`): `qmpsh ps` lists it and other commands accept it in place of a monitor.
    public var name: String?
    /// Memory at boot and for hot-plug; 256 MiB by default.
    public var memory = MemorySize(megabytes: 256)
    /// CPUs at boot and for hot-plug; one by default.
    public var cpus = CPUCount(count: 1)
    /// Machine type, e.g. `pc` (the default) or `q35`.
    public var machine: String?
    /// KVM, TCG or `auto` (the default).
    public var accelerator = Accelerator.auto
    /// The disks, in order (`-drive` each).
    public var disks: [Disk] = []
    /// An ISO for the CD drive; its device id is ``cdromDeviceID`` (for `blockdev-change-medium id=cdrom0`).
    public var cdrom: String?
    /// Boot order: `c` disk, `d` CD, `n` network (several letters allowed).
    public var boot: String?
    /// A kernel to boot directly (`-kernel`), instead of the firmware booting a disk.
    public var kernel: String?
    /// An initial RAM disk for ``kernel`` (`-initrd`).
    public var initrd: String?
    /// The kernel command line for ``kernel`` (`-append`), e.g. `console=ttyS0`.
    public var append: String?
    /// The network backends, one NIC each (`nic0`, `nic1`, ...); `.none` entries add nothing.
    public var networks: [NetworkBackend] = []
    /// MAC address of the first NIC (unicast); a locally administered one (`52:54:00:…`) is generated when unset.
    public var mac: String?
    /// The NIC model: `virtio-net-pci` (the default; `virtio` means the same), `e1000`, `e1000e`, `rtl8139`.
    public var nicModel: String?
    /// The video device: `std`, `virtio`, `cirrus`, `qxl` or `none`. Unset: `std` when the guest boots from a disk
    /// or CD (no `kernel`), else none.
    public var vga: String?
    /// Where the screen goes: `none` (the default) or `vnc=HOST:N` (e.g. `vnc=127.0.0.1:1`).
    public var display: String?
    /// The CPU model (`-cpu`), e.g. `max` or `host`.
    public var cpu: String?
    /// Add a virtio balloon device (id ``balloonDeviceID``) so `balloon` can change the guest's memory.
    public var balloon = false
    /// Spare PCIe root ports (`hp1`...) for hot-plug on q35.
    public var hotplugSlots = 0
    /// A file that receives a copy of the serial console.
    public var serialLog: String?
    /// The QEMU binary (default `$QMPKIT_QEMU` or `qemu-system-x86_64`).
    public var qemu: String?
    /// Further arguments, passed as they are.
    public var extraArguments: [String] = []
    /// A guest agent port (`--agent`): virtio-serial with `org.qemu.guest_agent.0` on a socket of the runtime
    /// directory; see ``Guest/agent``.
    public var agent = false

    /// The defaults: 256 MiB, one CPU, `auto` accelerator, no disks, no network, no display.
    public init() {}

    /// The device id of the CD drive made from ``cdrom``.
    public static let cdromDeviceID = "cdrom0"
    /// The block device (drive) name of the CD drive: QEMU's own legacy name, `ide1-cd0` on `pc` and `ide2-cd0` on
    /// `q35`, so `change ide1-cd0 my.iso` works as QEMU's documentation writes it.
    public var cdromDriveID: String { isQ35 ? "ide2-cd0" : "ide1-cd0" }
    /// The drive name QEMU gives the IDE disk at `index` (`ide0-hd0` for `-hda`, `ide0-hd1` for `-hdb`).
    public static func legacyDiskDriveID(index: Int) -> String { "ide\(index / 2)-hd\(index % 2)" }
    /// The device id of the balloon made by ``balloon``.
    public static let balloonDeviceID = "balloon0"

    /// The QEMU binary to run.
    public var qemuBinary: String {
        if let qemu { return qemu }
        if let value = getenv("QMPKIT_QEMU") { return String(cString: value) }
        return "qemu-system-x86_64"
    }

    /// The machine type, `pc` unless set.
    public var machineType: String { machine ?? "pc" }

    var isQ35: Bool { machineType == "q35" || machineType.hasPrefix("pc-q35") }
}

/// A network backend for the guest's NIC, written as on the command line: `user[,hostfwd=tcp::2222-:22]`,
/// `bridge=BR`, `tap=IF`, or `none`.
public enum NetworkBackend: Sendable, Equatable, Codable, CustomStringConvertible {
    /// QEMU's user-mode network (slirp), with `hostfwd=` rules such as `tcp::2222-:22`.
    case user(hostForwards: [String])
    /// A host bridge by name (`-netdev bridge,br=`; needs qemu-bridge-helper's permission).
    case bridge(String)
    /// An existing host tap interface by name (`-netdev tap,ifname=`, no scripts run).
    case tap(String)
    /// No backend and no NIC.
    case none

    /// Reads the command-line form; throws ``RunnerError/Code/invalidConfiguration`` for anything else.
    public init(parsing text: String) throws(RunnerError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "user":
            var forwards: [String] = []
            for option in parts.dropFirst() {
                guard option.hasPrefix("hostfwd=") else {
                    throw RunnerError(.invalidConfiguration, "--net user takes hostfwd=... options, not '\(option)'")
                }
                forwards.append(String(option.dropFirst("hostfwd=".count)))
            }
            self = .user(hostForwards: forwards)
        case "none" where parts.count == 1:
            self = .none
        default:
            if parts.count == 1, text.hasPrefix("bridge="), text.count > 7 {
                self = .bridge(String(text.dropFirst(7)))
            } else if parts.count == 1, text.hasPrefix("tap="), text.count > 4 {
                self = .tap(String(text.dropFirst(4)))
            } else {
                throw RunnerError(
                    .invalidConfiguration,
                    "unknown network '\(text)': use user[,hostfwd=tcp::2222-:22], bridge=BR, tap=IF or none")
            }
        }
    }

    /// The command-line form ``init(parsing:)`` reads back; it is also the JSON form.
    public var description: String {
        switch self {
        case .user(let forwards): return (["user"] + forwards.map { "hostfwd=" + $0 }).joined(separator: ",")
        case .bridge(let name): return "bridge=\(name)"
        case .tap(let name): return "tap=\(name)"
        case .none: return "none"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try NetworkBackend(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension MachineConfiguration.Disk {
    /// Parses `file=F,format=qcow2,if=virtio,id=d1,readonly=on` (the `--drive` option).
    public init(parsing text: String) throws(RunnerError) {
        var disk = MachineConfiguration.Disk(file: "")
        for option in QEMUOption.split(text) {
            let pair = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else {
                throw RunnerError(.invalidConfiguration, "--drive takes key=value options, not '\(option)'")
            }
            switch pair[0] {
            case "file": disk.file = pair[1]
            case "format": disk.format = pair[1]
            case "if": disk.interface = pair[1]
            case "id": disk.id = pair[1]
            case "readonly": disk.readOnly = ["on", "true", "yes"].contains(pair[1])
            case "index":
                guard let index = Int(pair[1]), index >= 0 else {
                    throw RunnerError(.invalidConfiguration, "--drive index=\(pair[1]): give a number from 0")
                }
                disk.index = index
            case let key where MachineConfiguration.passThroughDriveOptions.contains(key):
                disk.options = (disk.options ?? [:]).merging([key: pair[1]]) { $1 }
            default:
                throw RunnerError(
                    .invalidConfiguration,
                    "unknown --drive option '\(pair[0])': use file=, format=, if=, id=, readonly=, index= or "
                        + MachineConfiguration.passThroughDriveOptions.sorted().map { $0 + "=" }.joined(separator: ", "))
            }
        }
        guard !disk.file.isEmpty else { throw RunnerError(.invalidConfiguration, "--drive needs file=PATH") }
        self = disk
    }
}

extension MachineConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, memory, cpus, machine, accelerator, disks, cdrom, boot, kernel, initrd, append, networks, mac,
            balloon, hotplugSlots, serialLog, qemu, extraArguments, nicModel, vga, display, cpu
        case agent
    }

    /// Reads a configuration in which every field may be left out (its default then applies).
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        memory = try container.decodeIfPresent(MemorySize.self, forKey: .memory) ?? memory
        cpus = try container.decodeIfPresent(CPUCount.self, forKey: .cpus) ?? cpus
        machine = try container.decodeIfPresent(String.self, forKey: .machine)
        accelerator = try container.decodeIfPresent(Accelerator.self, forKey: .accelerator) ?? accelerator
        disks = try container.decodeIfPresent([Disk].self, forKey: .disks) ?? []
        cdrom = try container.decodeIfPresent(String.self, forKey: .cdrom)
        boot = try container.decodeIfPresent(String.self, forKey: .boot)
        kernel = try container.decodeIfPresent(String.self, forKey: .kernel)
        initrd = try container.decodeIfPresent(String.self, forKey: .initrd)
        append = try container.decodeIfPresent(String.self, forKey: .append)
        networks = try container.decodeIfPresent([NetworkBackend].self, forKey: .networks) ?? []
        mac = try container.decodeIfPresent(String.self, forKey: .mac)
        balloon = try container.decodeIfPresent(Bool.self, forKey: .balloon) ?? false
        hotplugSlots = try container.decodeIfPresent(Int.self, forKey: .hotplugSlots) ?? 0
        serialLog = try container.decodeIfPresent(String.self, forKey: .serialLog)
        qemu = try container.decodeIfPresent(String.self, forKey: .qemu)
        extraArguments = try container.decodeIfPresent([String].self, forKey: .extraArguments) ?? []
        agent = try container.decodeIfPresent(Bool.self, forKey: .agent) ?? false
        nicModel = try container.decodeIfPresent(String.self, forKey: .nicModel)
        vga = try container.decodeIfPresent(String.self, forKey: .vga)
        display = try container.decodeIfPresent(String.self, forKey: .display)
        cpu = try container.decodeIfPresent(String.self, forKey: .cpu)
    }
}
