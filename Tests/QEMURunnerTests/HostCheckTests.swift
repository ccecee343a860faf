#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QEMURunner
import QMP
import QMPTestSupport
import Testing

// MARK: - Parsing (no QEMU needed)

@Suite struct HostCheckParsingTests {
    @Test func versionOfDebianQEMU() throws {
        let version = try #require(HostCheck.parseVersion("""
            QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)
            Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers

            """))
        #expect(version == QEMUVersion(major: 7, minor: 2, micro: 22, package: "Debian 1:7.2+dfsg-7+deb12u18+b3"))
    }

    @Test func versionOfQemuImg() throws {
        let version = try #require(HostCheck.parseVersion("qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright"))
        #expect(version.description == "7.2.22")
        #expect(version.package == "Debian 1:7.2+dfsg-7+deb12u18+b3")
    }

    @Test func versionVariants() throws {
        // Ubuntu 18.04 printed no space before the package.
        let old = try #require(HostCheck.parseVersion("QEMU emulator version 2.11.1(Debian 1:2.11+dfsg-1ubuntu7.41)"))
        #expect(old == QEMUVersion(major: 2, minor: 11, micro: 1, package: "Debian 1:2.11+dfsg-1ubuntu7.41"))
        // A build from source: no package string; a two-part version.
        #expect(HostCheck.parseVersion("QEMU emulator version 8.2.0\n") == QEMUVersion(major: 8, minor: 2, micro: 0))
        #expect(HostCheck.parseVersion("QEMU emulator version 9.1") == QEMUVersion(major: 9, minor: 1, micro: 0))
        #expect(HostCheck.parseVersion("qemu-img version 8.0.0 (v8.0.0)")?.package == "v8.0.0")
    }

    @Test(arguments: ["", "qemu-system-x86_64: unknown option", "QEMU emulator version x.y", "version 7", "version 1.2.3.4"])
    func versionGarbage(text: String) {
        #expect(HostCheck.parseVersion(text) == nil)
    }

    @Test func acceleratorHelp() {
        #expect(HostCheck.parseAcceleratorHelp("Accelerators supported in QEMU binary:\ntcg\nkvm\n") == ["tcg", "kvm"])
        #expect(HostCheck.parseAcceleratorHelp("Accelerators supported in QEMU binary:\r\ntcg\r\n\r\nxen\r\nkvm\r\n") == ["tcg", "xen", "kvm"])
        #expect(HostCheck.parseAcceleratorHelp("Accelerators supported in QEMU binary:\n  tcg  \n") == ["tcg"])
        #expect(HostCheck.parseAcceleratorHelp("") == [])
        #expect(HostCheck.parseAcceleratorHelp("qemu: -accel help: invalid option\n") == [])
    }

    @Test func cpuFlags() {
        let intel = "processor\t: 0\nflags\t\t: fpu vme vmx sse2\n\nprocessor\t: 1\nflags\t\t: fpu vme vmx sse2\n"
        #expect(HostCheck.cpuVirtualizationFlags(cpuinfo: intel) == ["vmx"])
        #expect(HostCheck.cpuVirtualizationFlags(cpuinfo: "flags\t\t: fpu svm lm\n") == ["svm"])
        #expect(HostCheck.cpuVirtualizationFlags(cpuinfo: "flags\t\t: fpu vmmcall lm hypervisor\n") == [])
        #expect(HostCheck.cpuVirtualizationFlags(cpuinfo: "") == [])
    }

    @Test func guestEnvironment() {
        let env = HostCheck.parseGuestEnvironment("""
            # built by scripts/build-test-guest.sh
            KERNEL=/root/.cache/qmpkit/guest/vmlinuz
            INITRD="/root/.cache/qmpkit/guest/initrd.gz"

            ISO_A='/a b.iso'
            """)
        #expect(env["KERNEL"] == "/root/.cache/qmpkit/guest/vmlinuz")
        #expect(env["INITRD"] == "/root/.cache/qmpkit/guest/initrd.gz")
        #expect(env["ISO_A"] == "/a b.iso")
        #expect(env.count == 3)
    }

    @Test func machineListMarksTheDefault() {
        func machine(_ name: String, alias: String? = nil, isDefault: Bool? = nil) -> MachineInfo {
            MachineInfo(name: name, alias: alias, isDefault: isDefault, cpuMax: 255, hotpluggableCPUs: true,
                        numaMemSupported: false, deprecated: false)
        }
        let machines = [
            machine("pc-q35-7.2", alias: "q35"), machine("pc-i440fx-7.2", alias: "pc", isDefault: true),
            machine("pc-i440fx-7.1"), machine("pc-q35-2.4"), machine("microvm"), machine("none"), machine("isapc"),
        ]
        let summary = HostCheck.machineSummary(machines)
        #expect(summary.message == "7 machine types; default pc (pc-i440fx-7.2)")
        #expect(summary.details == [
            "isapc", "microvm", "none", "pc       = pc-i440fx-7.2 (default)", "q35      = pc-q35-7.2",
            "+ 2 older versioned types (pc-i440fx-7.1 … pc-q35-2.4)",
        ])
    }

    @Test func kvmDeviceOfOtherFiles() throws {
        let missing = HostCheck.KVMDevice.inspect("/nonexistent/kvm")
        #expect(!missing.exists && !missing.canOpen)

        // /dev/null: a character device anyone can open, but not KVM (no API version).
        let null = HostCheck.KVMDevice.inspect("/dev/null")
        #expect(null.exists && null.isCharacterDevice && null.canOpen)
        #expect(null.apiVersion == nil)
        #expect(null.permissionsDescription.hasPrefix("crw-rw-rw- "))

        let directory = try TemporaryDirectory(prefix: "qmpkit-kvm")
        try ChildProcess.writeFile(directory.file("plain"), "")
        let plain = HostCheck.KVMDevice.inspect(directory.file("plain"))
        #expect(plain.exists && !plain.isCharacterDevice && !plain.canOpen)
    }
}

// MARK: - On this machine (needs QEMU: without it these fail)

@Suite struct HostCheckLiveTests {
    @Test func quickCheckOfThisHost() async throws {
        var options = HostCheck.Options()
        options.probeGuests = false
        let check = await HostCheck.run(options)

        var names = utsname()
        uname(&names)
        let machine = withUnsafeBytes(of: names.machine) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        #expect(check.architecture == machine)

        let qemu = try #require(check.qemu, "QEMU found (scripts/setup.sh installs it)")
        #expect(qemu.version?.major == 7, "QEMU 7.x: \(qemu.versionLine)")
        #expect(qemu.path.hasSuffix("/qemu-system-x86_64") || qemu.path == HostCheck.defaultQEMU)
        let qemuImg = try #require(check.qemuImg)
        #expect(qemuImg.version?.major == 7)
        #expect(check.accelerators.contains("tcg"))
        #expect(check.tcgStarts)
        #expect(check.isUsable)
        #expect(check.kvmGuest == nil && check.tcgGuest == nil)

        // /dev/kvm as the file system sees it.
        let exists = access("/dev/kvm", F_OK) == 0
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        let opens = fd >= 0
        if opens { close(fd) }
        #expect(check.kvmDevice.exists == exists)
        #expect(check.kvmDevice.canOpen == opens)
        let device = try #require(check.findings.first { $0.topic == "/dev/kvm" })
        #expect(device.status == (opens ? .ok : exists ? .problem : .warning), "\(device.message)")
        if opens {
            #expect(check.kvmDevice.apiVersion == 12)
            // QEMU got KVM, and says so; whether guests run was not checked, and the report says that.
            #expect(check.kvmInfo == KVMInfo(enabled: true, present: true))
            let guest = try #require(check.findings.first { $0.topic == "kvm guest" })
            #expect(guest.status == .warning)
            #expect(guest.message.contains("not checked"))
            #expect(guest.message.contains("--accel tcg"))
            #expect(check.kvmRunsGuests == nil)
        } else {
            #expect(check.kvmInfo == nil)
            #expect(check.kvmRunsGuests == false)
            #expect(check.recommendedAccelerator == "tcg")
        }

        #expect(check.machines.count > 10)
        #expect(check.machines.filter { $0.isDefault == true }.count == 1)
        let machines = try #require(check.findings.first { $0.topic == "machines" })
        #expect(machines.details.contains { $0.hasPrefix("q35 ") })
        #expect(machines.details.contains { $0.contains("(default)") })
        #expect(check.findings.map(\.topic).starts(with: ["host"]))
    }

    /// The honest part: boot the test guest's kernel under KVM and TCG. Under TCG it must start; under KVM the
    /// verdict must agree with what the boot showed (on these hosts KVM is enabled, yet the kernel hangs).
    @Test func guestBootsTellTheTruth() async throws {
        var options = HostCheck.Options()
        let kernel = try #require(HostCheck.defaultGuestKernel, "the test guest (scripts/build-test-guest.sh)")
        options.guestKernel = kernel
        let started = ContinuousClock.now
        let check = await HostCheck.run(options)
        let elapsed = started.duration(to: .now)
        #expect(elapsed < options.tcgGuestTimeout + .seconds(10))

        let tcg = try #require(check.tcgGuest)
        #expect(tcg.madeProgress, "\(tcg)")
        #expect(tcg.banner?.hasPrefix("Linux version ") == true)
        #expect(check.findings.first { $0.topic == "tcg" }?.status == .ok)

        if check.kvmInfo?.enabled == true {
            let kvm = try #require(check.kvmGuest)
            let finding = try #require(check.findings.first { $0.topic == "kvm guest" })
            #expect(check.kvmRunsGuests == kvm.madeProgress)
            if kvm.madeProgress {
                #expect(finding.status == .ok)
                #expect(check.recommendedAccelerator == "kvm")
            } else {
                #expect(finding.status == .problem)
                #expect(finding.message.contains("--accel tcg"))
                #expect(check.recommendedAccelerator == "tcg")
                #expect(check.summary.contains("--accel tcg"))
            }
        }
        #expect(check.isUsable)
    }

    /// A kernel QEMU cannot load says nothing about KVM or TCG: the check must not call them broken.
    @Test func unbootableKernelIsNotBlamedOnTheAccelerators() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-kernel")
        let kernel = directory.file("not a kernel")
        try ChildProcess.writeFile(kernel, "just text\n")
        var options = HostCheck.Options()
        options.guestKernel = kernel
        let check = await HostCheck.run(options)
        #expect(!check.guestBootsAreConclusive)
        #expect(check.tcgGuest?.qemuFailure != nil)
        #expect(check.tcgRunsGuests)
        #expect(check.isUsable)
        let tcg = try #require(check.findings.first { $0.topic == "tcg" })
        #expect(tcg.status == .warning)
        #expect(tcg.message.contains("cannot boot the guest kernel \(kernel)"), "\(tcg.message)")
        if check.kvmInfo?.enabled == true {
            #expect(check.kvmRunsGuests == nil)
            #expect(check.findings.first { $0.topic == "kvm guest" }?.status == .warning)
        }
    }

    @Test func probeOfAMissingKernelEndsAtOnce() async throws {
        let started = ContinuousClock.now
        let probe = await HostCheck.probeGuestBoot(accelerator: "tcg", kernel: "/nonexistent/vmlinuz", timeout: .seconds(30))
        #expect(started.duration(to: .now) < .seconds(15))
        #expect(!probe.madeProgress)
        let failure = try #require(probe.qemuFailure)
        #expect(failure.contains("/nonexistent/vmlinuz"), "QEMU's own message: \(failure)")
    }

    @Test func monitorOfARefusedAcceleratorCarriesQEMUsMessage() async throws {
        let result = await HostCheck.withMonitor(qemu: HostCheck.defaultQEMU, accelerator: "nope", timeout: .seconds(15)) {
            try await $0.execute(QueryKVM())
        }
        guard case .failure(let error) = result else {
            Issue.record("QEMU accepted -accel nope")
            return
        }
        #expect(error.code == .qemuExited)
        #expect(error.message.contains("nope"), "\(error.message)")
    }

    @Test func monitorUnderTCG() async throws {
        let result = await HostCheck.withMonitor(qemu: HostCheck.defaultQEMU, accelerator: "tcg", timeout: .seconds(15)) {
            try await $0.execute(QueryKVM())
        }
        #expect(try result.get().enabled == false)
    }

    @Test func missingQEMU() async {
        var options = HostCheck.Options()
        options.qemu = "/nonexistent/qemu-system-x86_64"
        let check = await HostCheck.run(options)
        #expect(check.qemu == nil)
        #expect(!check.isUsable)
        #expect(check.findings.first { $0.topic == "qemu" }?.status == .problem)
        #expect(check.summary.hasPrefix("not usable"))
    }
}
