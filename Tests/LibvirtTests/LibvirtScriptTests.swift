import Testing
import QEMURunner
import QMPTestSupport

/// `qmpsh run SCRIPT --monitor libvirt:DOMAIN`: the example scripts run on guests libvirt runs, and what they did
/// is checked inside each guest through its console.
@Suite(.serialized, .timeLimit(.minutes(5))) struct LibvirtScriptTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
    static func example(_ name: String) -> String { LibvirtHost.repositoryRoot + "/scripts/examples/" + name }

    @Test func hotplugScript() async throws {
        try await TestDomain.with("run") { domain in
            let disk = domain.directory.file("d1.qcow2")
            let created = try await Subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"])
            #expect(created.termination.isSuccess, "qemu-img: \(created.standardError)")
            #expect(try await domain.run("mount -t iso9660 /dev/sr0 /mnt 2>&1; cat /mnt/LABEL; umount /mnt").contains("disc-A"))

            let plug = try await ChildProcess.run([
                qmpsh, "run", Self.example("libvirt-hotplug.qmp"), "--monitor", domain.monitor,
                "--var", "disk=\(disk)", "--var", "iso_b=\(TestDomain.guestDirectory)/b.iso",
            ])
            #expect(plug.status == 0, "\(plug)")
            #expect(plug.standardOutput.contains("13 statements, 13 passed"), "\(plug.standardOutput)")
            let sectors = try await domain.poll("cat /sys/block/vda/size 2>&1") { $0.contains("131072") }
            #expect(sectors.contains("131072"))
            let label = try await domain.poll("mount -t iso9660 /dev/sr0 /mnt 2>&1; cat /mnt/LABEL 2>&1; umount /mnt 2>&1") {
                $0.contains("disc-B")
            }
            #expect(label.contains("disc-B"))

            let unplug = try await ChildProcess.run([qmpsh, "run", Self.example("libvirt-unplug.qmp"), "--monitor", domain.monitor])
            #expect(unplug.status == 0, "\(unplug)")
            #expect(!(try await domain.run("ls /sys/block")).contains("vda"))

            // Run again, the script fails at its first statement (the disk is gone): exit 1, QEMU's error class.
            let again = try await ChildProcess.run([qmpsh, "run", Self.example("libvirt-unplug.qmp"), "--monitor", domain.monitor])
            #expect(again.status == 1, "\(again)")
            #expect(again.standardError.contains("DeviceNotFound"), "\(again)")
        }
    }

    @Test func parallelOnTwoDomains() async throws {
        try await TestDomain.with("par1") { first in
            try await TestDomain.with("par2") { second in
                let result = try await ChildProcess.run([
                    qmpsh, "run", Self.example("libvirt-scratch-disk.qmp"),
                    "--monitor", first.monitor, "--monitor", "libvirt+qemu:///system#\(second.name)", "--parallel",
                ])
                #expect(result.status == 0, "\(result)")
                for domain in [first, second] {
                    let sectors = try await domain.poll("cat /sys/block/vda/size 2>&1") { $0.contains("131072") }
                    #expect(sectors.contains("131072"), "\(domain.name)")
                }
            }
        }
    }
}
