import Testing
import QEMURunner
import QMP
import QMPTestSupport

/// Hot-plug and media swap on the booted test guest under TCG, each checked from inside the guest through its
/// serial console. One guest per machine type runs the steps in order (booting costs seconds under TCG).
@Suite(.timeLimit(.minutes(5))) struct HotplugTests {
    static func qcow2(_ directory: TemporaryDirectory, _ name: String) async throws -> String {
        let path = directory.file(name)
        let result = try await Subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, "64M"])
        guard result.termination.isSuccess else { throw TestSupportError("qemu-img: \(result.standardError)") }
        return path
    }

    static func waitForShell(_ guest: Guest) async throws {
        try await guest.console.expect("QMPKIT-GUEST-READY", timeout: .seconds(120))
        try await guest.console.expect("guest# ", timeout: .seconds(30))
    }

    @Test func everythingOnPC() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-hotplug")
        let disk = try await Self.qcow2(directory, "d1.qcow2")
        var machine = TestGuest.machine()
        machine.memory = .init(megabytes: 256, slots: 2, maximum: "1G")
        machine.cpus = .init(count: 1, maximum: 2)
        machine.cdrom = TestGuest.file("a.iso")
        machine.balloon = true
        try await Guest.withGuest(machine, options: TestGuest.options) { guest in
            try await Self.waitForShell(guest)
            try await Self.diskHotplug(guest, disk: disk, bus: nil)
            try await Self.nicHotplug(guest)
            try await Self.cpuHotplug(guest)
            try await Self.memoryHotplug(guest)
            try await Self.mediaSwap(guest)
            try await Self.balloon(guest)
        }
    }

    @Test func diskOnQ35() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-hotplug")
        let disk = try await Self.qcow2(directory, "q1.qcow2")
        var machine = TestGuest.machine()
        machine.machine = "q35"
        machine.hotplugSlots = 1
        try await Guest.withGuest(machine, options: TestGuest.options) { guest in
            try await Self.waitForShell(guest)
            // The guest takes a device on a PCIe root port only once its hot-plug driver has claimed the slot
            // (the slot shows under /sys/bus/pci/slots); plugged earlier, the device goes unnoticed (seen on 5.2).
            let slots = try await TestGuest.poll("ls /sys/bus/pci/slots", on: guest) { !$0.split(separator: "\n").isEmpty }
            #expect(!slots.isEmpty)
            guard guest.client.greeting.version >= QEMUVersion(major: 6, minor: 0, micro: 0) else {
                // Measured on QEMU 5.2 with this guest's kernel: a few seconds after boot pciehp sees a spurious
                // attention-button press on the empty root port, and a device plugged after that raises no
                // hot-plug event in the guest. Check QEMU's side: the device is on the root port's bus.
                _ = try await guest.client.execute(BlockdevAdd.qcow2File(nodeName: "d1", filename: disk))
                _ = try await guest.client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vd1", bus: "hp1", properties: ["drive": "d1"]))
                let buses = try await guest.client.execute(QueryPCI())
                let bridged = buses.flatMap(\.devices).compactMap(\.pciBridge).flatMap { $0.devices ?? [] }
                #expect(bridged.contains { $0.qdevID == "vd1" }, "\(buses)")
                return
            }
            try await Self.diskHotplug(guest, disk: disk, bus: "hp1")
        }
    }

    static func diskHotplug(_ guest: Guest, disk: String, bus: String?) async throws {
        let client = guest.client
        #expect(!(try await TestGuest.run("ls /sys/block", on: guest)).contains("vda"))
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "d1", filename: disk))
        _ = try await client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vd1", bus: bus, properties: ["drive": "d1"]))
        let listed = try await TestGuest.poll("ls /sys/block", on: guest) { $0.contains("vda") }
        #expect(listed.contains("vda"))
        #expect(try await TestGuest.run("cat /sys/block/vda/size", on: guest).contains("131072"))  // 64 MiB in sectors
        _ = try await client.execute(DeviceDel(id: "vd1"))
        _ = try await client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(60)) { $0.device == "vd1" }
        #expect(!(try await TestGuest.run("ls /sys/block", on: guest)).contains("vda"))
        _ = try await client.execute(BlockdevDel(nodeName: "d1"))
    }

    static func nicHotplug(_ guest: Guest) async throws {
        let client = guest.client
        let mac = "52:54:00:12:34:56"
        _ = try await client.execute(NetdevAdd.user(id: "n1"))
        _ = try await client.execute(DeviceAdd(driver: "virtio-net-pci", id: "nic1", properties: ["netdev": "n1", "mac": .string(mac)]))
        let addresses = try await TestGuest.poll("cat /sys/class/net/*/address", on: guest) { $0.contains(mac) }
        #expect(addresses.contains(mac))
        _ = try await client.execute(DeviceDel(id: "nic1"))
        _ = try await client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(60)) { $0.device == "nic1" }
        #expect(!(try await TestGuest.run("cat /sys/class/net/*/address", on: guest)).contains(mac))
        _ = try await client.execute(NetdevDel(id: "n1"))
    }

    static func cpuHotplug(_ guest: Guest) async throws {
        let client = guest.client
        #expect(try await TestGuest.run("cat /sys/devices/system/cpu/present", on: guest).contains("0\n"))
        let slots = try await client.execute(QueryHotpluggableCPUs())
        let free = try #require(slots.first { $0.isFree })
        _ = try await client.execute(DeviceAdd.cpu(free, id: "cpu1"))
        guard client.greeting.version >= QEMUVersion(major: 6, minor: 0, micro: 0) else {
            // Measured on QEMU 5.2 (the matrix's oldest) with this guest's kernel: QEMU plugs the CPU, but the
            // guest never evaluates the hot-plug notification (no ACPI_DEVICE_OST, present stays 0). Check QEMU's
            // side only.
            let after = try await client.execute(QueryHotpluggableCPUs())
            #expect(after.filter { !$0.isFree }.count == 2)
            return
        }
        let ost = try await client.waitForEvent(ACPIDeviceOSTEvent.self, timeout: .seconds(60)) { $0.info.slotType == .cpu }
        #expect(ost.info.succeeded)
        #expect(try await TestGuest.run("cat /sys/devices/system/cpu/present", on: guest).contains("0-1"))
        let online = try await TestGuest.run("echo 1 > /sys/devices/system/cpu/cpu1/online; cat /sys/devices/system/cpu/online", on: guest)
        #expect(online.contains("0-1"))
    }

    static func memTotal(_ guest: Guest) async throws -> Int {
        let line = try await TestGuest.run("grep MemTotal /proc/meminfo", on: guest)
        return Int(line.split(separator: " ").first { Int($0) != nil } ?? "") ?? 0
    }

    static func memoryHotplug(_ guest: Guest) async throws {
        let client = guest.client
        let before = try await memTotal(guest)
        _ = try await client.execute(ObjectAdd.memoryBackendRAM(id: "mem1", size: 256 << 20))
        _ = try await client.execute(DeviceAdd(driver: "pc-dimm", id: "dimm1", properties: ["memdev": "mem1"]))
        let ost = try await client.waitForEvent(ACPIDeviceOSTEvent.self, timeout: .seconds(60)) { $0.info.slotType == .dimm }
        #expect(ost.info.succeeded)
        let after = try await memTotal(guest)
        #expect(after - before >= 250 * 1024, "MemTotal \(before) kB → \(after) kB")
    }

    static func mount(_ guest: Guest) async throws -> String {
        try await TestGuest.run("mount -t iso9660 /dev/sr0 /mnt 2>&1; cat /mnt/LABEL 2>&1", on: guest)
    }

    static func mediaSwap(_ guest: Guest) async throws {
        let client = guest.client
        #expect(try await mount(guest).contains("disc-A"))
        _ = try await TestGuest.run("umount /mnt", on: guest)
        // A → B: the tray opens and closes, and the guest reads B's files.
        let events = client.events(.names(DeviceTrayMovedEvent.name))
        _ = try await client.execute(BlockdevChangeMedium(
            id: MachineConfiguration.cdromDeviceID, filename: TestGuest.file("b.iso"), format: "raw"))
        let opened = try #require(try await events.next()).decode(DeviceTrayMovedEvent.self)
        let closed = try #require(try await events.next()).decode(DeviceTrayMovedEvent.self)
        #expect(opened.trayOpen && !closed.trayOpen)
        #expect(opened.id == MachineConfiguration.cdromDeviceID)
        let label = try await TestGuest.poll("mount -t iso9660 /dev/sr0 /mnt 2>&1; cat /mnt/LABEL 2>&1", on: guest) {
            $0.contains("disc-B")
        }
        #expect(label.contains("disc-B"))
        // Mounted, the guest locks the tray: eject needs force, and the error says so.
        await #expect {
            try await client.execute(Eject(id: MachineConfiguration.cdromDeviceID))
        } throws: { error in
            (error as? QMPError)?.message.contains("force") == true
        }
        _ = try await TestGuest.run("umount /mnt", on: guest)
        _ = try await client.execute(Eject(id: MachineConfiguration.cdromDeviceID, force: true))
        let empty = try await TestGuest.poll("mount -t iso9660 /dev/sr0 /mnt 2>&1 || echo NO-MEDIUM", on: guest) {
            $0.contains("NO-MEDIUM")
        }
        #expect(empty.contains("NO-MEDIUM"))
    }

    static func balloon(_ guest: Guest) async throws {
        let client = guest.client
        let target = 200 << 20
        _ = try await client.execute(Balloon(value: target))
        _ = try await client.waitForEvent(BalloonChangeEvent.self, timeout: .seconds(60)) { $0.actual == target }
        #expect(try await client.execute(QueryBalloon()).actual == target)
    }
}
