#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMP
import QMPSchema
import QMPTestSupport

/// Figures for the live schema and the guest runner (issues 5 and 6), against the same QEMU binary.
enum GuestBench {
    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    /// µs per `QAPISchema.fetch` (fetch + parse + model + index).
    static func schemaFetch(_ address: MonitorAddress, count: Int) async throws -> Double {
        try await QMPClient.withConnection(to: address) { client in
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<count { _ = try await QAPISchema.fetch(from: client) }
            return milliseconds(clock.now - start) * 1000 / Double(count)
        }
    }

    /// Launch → QMP ready, for a bare QEMU (socket bound by the caller, greeting read) and through the runner.
    static func runnerOverhead(rounds: Int) async throws -> (bare: Double, runner: Double) {
        var bare: [Double] = []
        var runner: [Double] = []
        let clock = ContinuousClock()
        var machine = MachineConfiguration()
        machine.accelerator = .tcg
        machine.memory = .init(megabytes: 64)
        var options = Guest.Options()
        options.powerdownTimeout = .zero
        for _ in 0..<rounds {
            var start = clock.now
            let qemu = try QEMUProcess.launch(arguments: try machine.arguments())
            let client = try await qemu.connect()
            bare.append(milliseconds(clock.now - start))
            _ = try? await client.execute("quit")
            await client.close()
            _ = try? await qemu.waitForExit()

            start = clock.now
            let guest = try await Guest.launch(machine, options: options)
            runner.append(milliseconds(clock.now - start))
            await guest.shutdown()
        }
        return (median(bare), median(runner))
    }

    struct BootFigures {
        var bootToReady: Double
        var bootToReadyCompressed: Double
        var diskVisible: Double
        var nicVisible: Double
    }

    /// Boot the test guest (uncompressed and compressed kernel) and time hot-plug until the guest sees it.
    static func guestFigures(guestDirectory: String, rounds: Int) async throws -> BootFigures? {
        guard access(guestDirectory + "/initrd.gz", R_OK) == 0 else { return nil }
        var options = Guest.Options()
        options.powerdownTimeout = .zero
        let clock = ContinuousClock()
        func machine(kernel: String) -> MachineConfiguration {
            var machine = MachineConfiguration()
            machine.accelerator = .tcg
            machine.kernel = guestDirectory + "/" + kernel
            machine.initrd = guestDirectory + "/initrd.gz"
            machine.append = "console=ttyS0 quiet qmpkit.noecho"
            return machine
        }
        var compressed: [Double] = []
        for _ in 0..<rounds {
            let start = clock.now
            try await Guest.withGuest(machine(kernel: "vmlinuz"), options: options) { guest in
                try await guest.console.expect("QMPKIT-GUEST-READY", timeout: .seconds(180))
                compressed.append(milliseconds(clock.now - start))
            }
        }
        var ready: [Double] = []
        var disk: [Double] = []
        var nic: [Double] = []
        let work = try TemporaryDirectory(prefix: "qmpkit-bench-guest")
        for round in 0..<rounds {
            let image = work.file("d\(round).qcow2")
            _ = try await Subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", image, "64M"])
            let start = clock.now
            try await Guest.withGuest(machine(kernel: "vmlinux"), options: options) { guest in
                try await guest.console.expect("QMPKIT-GUEST-READY", timeout: .seconds(180))
                ready.append(milliseconds(clock.now - start))
                try await guest.console.expect("guest# ", timeout: .seconds(60))
                var plugged = clock.now
                _ = try await guest.client.execute(BlockdevAdd.qcow2File(nodeName: "d1", filename: image))
                _ = try await guest.client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vd1", properties: ["drive": "d1"]))
                try await until(guest, "ls /sys/block", contains: "vda")
                disk.append(milliseconds(clock.now - plugged))
                plugged = clock.now
                _ = try await guest.client.execute(NetdevAdd.user(id: "n1"))
                _ = try await guest.client.execute(
                    DeviceAdd(driver: "virtio-net-pci", id: "nic1", properties: ["netdev": "n1", "mac": "52:54:00:12:34:56"]))
                try await until(guest, "cat /sys/class/net/*/address", contains: "52:54:00:12:34:56")
                nic.append(milliseconds(clock.now - plugged))
            }
        }
        return BootFigures(
            bootToReady: median(ready), bootToReadyCompressed: median(compressed), diskVisible: median(disk),
            nicVisible: median(nic))
    }

    /// Runs `command` in the guest shell until its output contains `text` (the guest has no event to wait on).
    static func until(_ guest: Guest, _ command: String, contains text: String) async throws {
        while true {
            try guest.console.send(command + "\n")
            let output = try await guest.console.expect("guest# ", timeout: .seconds(60))
            if output.contains(text) { return }
        }
    }
}
