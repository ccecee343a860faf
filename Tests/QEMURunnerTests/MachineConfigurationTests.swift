import Testing
import QEMURunner
import QMP

@Suite struct MachineConfigurationTests {
    static let existing = "/etc/hostname"  // any readable file stands in for images and kernels

    @Test func fullConfigurationToArguments() throws {
        var machine = MachineConfiguration()
        machine.name = "web1"
        machine.memory = .init(megabytes: 256, slots: 2, maximum: "1G")
        machine.cpus = .init(count: 1, maximum: 2)
        machine.machine = "q35"
        machine.accelerator = .tcg
        machine.disks = [.init(file: Self.existing, format: "qcow2", interface: "virtio", id: "d0")]
        machine.cdrom = "/etc/host,name"
        machine.boot = "d"
        machine.networks = [.user(hostForwards: ["tcp::2222-:22"])]
        machine.mac = "52:54:00:12:34:56"
        machine.balloon = true
        machine.hotplugSlots = 2
        machine.extraArguments = ["-device", "virtio-rng-pci"]
        machine.cdrom = nil
        #expect(try machine.arguments() == [
            "-nodefaults", "-display", "none", "-no-user-config", "-name", "guest=web1", "-machine", "q35", "-accel", "tcg",
            "-m", "256,slots=2,maxmem=1G", "-smp", "1,maxcpus=2", "-vga", "std",
            "-drive", "file=/etc/hostname,if=virtio,format=qcow2,id=d0", "-boot", "d",
            "-netdev", "user,id=net0,hostfwd=tcp::2222-:22", "-device", "virtio-net-pci,netdev=net0,id=nic0,mac=52:54:00:12:34:56",
            "-device", "virtio-balloon-pci,id=balloon0",
            "-device", "pcie-root-port,id=hp1,chassis=1,slot=1,bus=pcie.0",
            "-device", "pcie-root-port,id=hp2,chassis=2,slot=2,bus=pcie.0",
            "-device", "virtio-rng-pci",
        ])
    }

    @Test func cdromAndCommasInFileNames() throws {
        var machine = MachineConfiguration()
        machine.accelerator = .tcg
        machine.cdrom = Self.existing
        let arguments = try machine.arguments()
        #expect(arguments.contains("if=none,id=ide1-cd0,media=cdrom,readonly=on,file=/etc/hostname"))
        #expect(arguments.contains("ide-cd,drive=ide1-cd0,bus=ide.1,id=cdrom0"))
        #expect(arguments.contains("-vga"), "a CD boot has a screen")
        #expect(MachineConfiguration.cdromDeviceID == "cdrom0")
        var disk = MachineConfiguration()
        disk.accelerator = .tcg
        disk.disks = [.init(file: Self.existing)]
        #expect(try disk.arguments().contains("file=/etc/hostname,if=ide,id=disk0,index=0"))
    }

    @Test func refusesWhatCannotWork() {
        let cases: [((inout MachineConfiguration) -> Void, String)] = [
            ({ (m: inout MachineConfiguration) in m.hotplugSlots = 1 }, "--hotplug-slots needs -M q35"),
            ({ (m: inout MachineConfiguration) in m.cpus = .init(count: 2, maximum: 1) }, "maxcpus must be at least"),
            ({ (m: inout MachineConfiguration) in m.memory = .init(megabytes: 256, slots: 2) }, "needs both slots and maxmem"),
            ({ (m: inout MachineConfiguration) in m.memory = .init(megabytes: 256, slots: 2, maximum: "128M") }, "must be more than the boot memory"),
            ({ (m: inout MachineConfiguration) in m.memory = .init(megabytes: 256, slots: 2, maximum: "lots") }, "is not a size"),
            ({ (m: inout MachineConfiguration) in m.initrd = "/etc/hostname" }, "need --kernel"),
            ({ (m: inout MachineConfiguration) in m.kernel = "/nonexistent/vmlinuz" }, "--kernel /nonexistent/vmlinuz: No such file"),
            ({ (m: inout MachineConfiguration) in m.mac = "52:54:00:12:34" }, "is not a MAC address"),
            ({ (m: inout MachineConfiguration) in m.mac = "52:54:00:12:34:56" }, "--mac needs a --net"),
            ({ (m: inout MachineConfiguration) in m.networks = [.none, .user(hostForwards: [])] }, "cannot be combined"),
            ({ (m: inout MachineConfiguration) in m.boot = "x" }, "use c (disk), d (CD-ROM) or n"),
            ({ (m: inout MachineConfiguration) in m.disks = [.init(file: "/etc/hostname", interface: "usb")] }, "if=usb"),
            ({ (m: inout MachineConfiguration) in m.memory = .init(megabytes: 8) }, "at least 16 MiB"),
        ]
        for (change, message) in cases {
            var machine = MachineConfiguration()
            change(&machine)
            #expect {
                try machine.arguments()
            } throws: { error in
                guard let error = error as? RunnerError else { return false }
                return error.code == .invalidConfiguration && error.message.contains(message)
            }
        }
    }

    @Test func parsesCommandLineForms() throws {
        #expect(try NetworkBackend(parsing: "user,hostfwd=tcp::2222-:22") == .user(hostForwards: ["tcp::2222-:22"]))
        #expect(try NetworkBackend(parsing: "bridge=br0") == .bridge("br0"))
        #expect(try NetworkBackend(parsing: "tap=tap0") == .tap("tap0"))
        #expect(try NetworkBackend(parsing: "none") == NetworkBackend.none)
        #expect(throws: RunnerError.self) { try NetworkBackend(parsing: "vde") }
        let disk = try MachineConfiguration.Disk(parsing: "file=/a b.qcow2,format=qcow2,if=virtio,id=d1,readonly=on")
        #expect(disk == .init(file: "/a b.qcow2", format: "qcow2", interface: "virtio", id: "d1", readOnly: true))
        #expect(throws: RunnerError.self) { try MachineConfiguration.Disk(parsing: "format=raw") }
        #expect(MachineConfiguration.parseSize("1G") == 1 << 30)
        #expect(MachineConfiguration.parseSize("512m") == 512 << 20)
        #expect(MachineConfiguration.parseSize("x") == nil)
    }

    @Test func loadsFromJSON() throws {
        let json = try JSON(parsing: #"{"name":"g","memory":{"megabytes":512,"slots":2,"maximum":"2G"},"cpus":{"count":2},"accelerator":"tcg","networks":["user,hostfwd=tcp::2222-:22","none"],"balloon":true}"#)
        let machine = try JSONValueDecoder().decode(MachineConfiguration.self, from: json)
        #expect(machine.name == "g")
        #expect(machine.memory == .init(megabytes: 512, slots: 2, maximum: "2G"))
        #expect(machine.accelerator == .tcg)
        #expect(machine.networks == [.user(hostForwards: ["tcp::2222-:22"]), .none])
        #expect(machine.balloon)
        #expect(try JSONValueDecoder().decode(MachineConfiguration.self, from: JSONValueEncoder().encode(machine)) == machine)
    }

    @Test func autoPicksKVMOnlyWhenUsable() {
        var machine = MachineConfiguration()
        machine.accelerator = .auto
        #expect(machine.resolvedAccelerator == (MachineConfiguration.kvmUsable ? .kvm : .tcg))
        machine.accelerator = .tcg
        #expect(machine.resolvedAccelerator == .tcg)
    }
}
