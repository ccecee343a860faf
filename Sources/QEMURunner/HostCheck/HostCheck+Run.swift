#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QMP

extension HostCheck {
    /// Runs every check. Takes well under a second with ``Options/probeGuests`` off; with it, as long as the
    /// slower of the two guest boots (at most ``Options/kvmGuestTimeout`` when KVM hangs, ~5 s under TCG).
    public static func run(_ options: Options = Options()) async -> HostCheck {
        var check = HostCheck(kvmDevice: KVMDevice.inspect(options.kvmDevice))
        check.checkHost()
        check.checkCPU()
        check.checkKVMDevice()
        options.progress?("# checking QEMU and qemu-img")
        await whileReporting("checking QEMU and qemu-img", options) { await check.checkTools(options) }
        guard let qemu = check.qemu else { return check }
        options.progress?(options.probeGuests && options.guestKernel != nil
            ? "# starting QEMU under KVM and TCG, and booting a guest kernel under each (up to \(options.kvmGuestTimeout) for KVM)"
            : "# starting QEMU under KVM and TCG")
        await whileReporting("starting QEMU under KVM and TCG", options) { await check.checkAccelerators(qemu: qemu.path, options) }
        return check
    }

    /// Runs `step`; while it runs, says on ``Options/progress`` every 2 s that it still is (issue 15: no step of
    /// `doctor` is silent for longer on a terminal).
    private static func whileReporting(_ what: String, _ options: Options, _ step: () async -> Void) async {
        guard let progress = options.progress else { return await step() }
        let ticker = Task {
            let clock = ContinuousClock()
            let start = clock.now
            // A periodic reminder, not a wait for something: it ends when the step does.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(2))
                if Task.isCancelled { break }
                progress("#   still \(what) (\(Int((clock.now - start).components.seconds)) s)")
            }
        }
        await step()
        ticker.cancel()
    }

    // MARK: - Host

    private mutating func checkHost() {
        var names = utsname()
        uname(&names)
        architecture = Self.field(names.machine)
        kernelRelease = Self.field(names.release)
        let system = Self.field(names.sysname)
        if architecture == "x86_64" {
            findings.append(Finding("host", .ok, "\(architecture), \(system) \(kernelRelease)"))
        } else {
            findings.append(Finding(
                "host", .warning,
                "\(architecture), \(system) \(kernelRelease): x86_64 guests are emulated here (TCG only; KVM needs an x86_64 host)"))
        }
    }

    private mutating func checkCPU() {
        kvmModules = ["kvm_intel", "kvm_amd", "kvm_pvm", "kvm"].filter { access("/sys/module/\($0)", F_OK) == 0 }
        guard architecture == "x86_64" || architecture.hasPrefix("i") && architecture.hasSuffix("86") else { return }
        cpuVirtualizationFlags = Self.cpuVirtualizationFlags(cpuinfo: readTextFile("/proc/cpuinfo") ?? "")
        let modules = kvmModules.isEmpty ? "no KVM module loaded" : "modules: " + kvmModules.joined(separator: ", ")
        if let flag = cpuVirtualizationFlags.first {
            let name = flag == "vmx" ? "Intel VT-x (vmx)" : "AMD-V (svm)"
            let expected = flag == "vmx" ? "kvm_intel" : "kvm_amd"
            if kvmModules.contains(expected) {
                findings.append(Finding("cpu", .ok, "\(name); \(modules)"))
            } else {
                findings.append(Finding("cpu", .warning, "\(name), but \(expected) is not loaded (modprobe \(expected)); \(modules)"))
            }
        } else if kvmModules.contains("kvm_pvm") {
            findings.append(Finding(
                "cpu", .warning,
                "no vmx/svm flag (this host is itself a virtual machine); KVM here is kvm_pvm (PVM, virtualization without "
                    + "hardware support), which is made for guest kernels built as PVM guests: stock kernels may not boot under it"))
        } else if kvmModules.isEmpty {
            findings.append(Finding(
                "cpu", .warning,
                "no vmx/svm flag and no KVM module: no hardware virtualization (turn on VT-x/AMD-V in the firmware, "
                    + "or enable nested virtualization for this VM); guests run under TCG"))
        } else {
            findings.append(Finding("cpu", .warning, "no vmx/svm flag in /proc/cpuinfo; \(modules)"))
        }
    }

    private mutating func checkKVMDevice() {
        let device = kvmDevice
        let user = Self.currentUserName
        guard device.exists else {
            findings.append(Finding(
                "/dev/kvm", .warning,
                "\(device.path) does not exist: no KVM (load kvm_intel or kvm_amd; in a VM, enable nested virtualization); guests run under TCG"))
            return
        }
        guard device.isCharacterDevice else {
            findings.append(Finding("/dev/kvm", .problem, "\(device.path) is not a character device (\(device.permissionsDescription))"))
            return
        }
        if let error = device.openError {
            var message = "\(device.path) (\(device.permissionsDescription)) cannot be opened read-write by \(user): \(errnoText(error))"
            if error == EACCES || error == EPERM {
                let groupWritable = device.mode & 0o060 == 0o060
                let inGroup = Self.groupID(of: device.path).map(Self.currentUserIsInGroup) ?? false
                if groupWritable && device.group != "root" && !inGroup {
                    message += "; join group \(device.group): sudo usermod -aG \(device.group) \(user), then log in again"
                } else if groupWritable && inGroup {
                    message += "; \(user) is in group \(device.group) — log in again so the session gets the group"
                } else {
                    message += "; only \(device.owner) may open it: a udev rule KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\" "
                        + "gives it to group kvm, then join that group (sudo usermod -aG kvm \(user))"
                }
            }
            findings.append(Finding("/dev/kvm", .problem, message))
            return
        }
        let api = device.apiVersion.map { "; KVM API version \($0)" } ?? ""
        findings.append(Finding("/dev/kvm", .ok, "present (\(device.permissionsDescription)), read-write for \(user)\(api)"))
    }

    // MARK: - Programs

    private mutating func checkTools(_ options: Options) async {
        qemu = await Self.tool(options.qemu)
        if let qemu {
            findings.append(Finding(
                "qemu", qemu.version == nil ? .warning : .ok,
                "\(qemu.path): \(qemu.versionLine)" + (qemu.version == nil ? " (version not recognised)" : "")))
        } else {
            findings.append(Finding(
                "qemu", .problem,
                "\(options.qemu) not found (Debian: apt-get install qemu-system-x86; or set QMPKIT_QEMU to the binary)"))
        }
        qemuImg = await Self.tool(options.qemuImg)
        if let qemuImg {
            findings.append(Finding("qemu-img", .ok, "\(qemuImg.path): \(qemuImg.versionLine)"))
        } else {
            findings.append(Finding(
                "qemu-img", .warning,
                "\(options.qemuImg) not found: `qmpsh img` and disk images need it (Debian: apt-get install qemu-utils)"))
        }
    }

    /// The program's path and `--version`, or `nil` when it is not there or does not run.
    private static func tool(_ name: String) async -> Tool? {
        guard let path = findExecutable(name),
            let result = try? await Subprocess.run([path, "--version"], timeout: .seconds(15)),
            result.termination.isSuccess
        else { return nil }
        let line = result.standardOutput.split(whereSeparator: \.isNewline).first.map { trim($0) } ?? ""
        return Tool(path: path, version: parseVersion(line), versionLine: line)
    }

    // MARK: - Accelerators

    private mutating func checkAccelerators(qemu: String, _ options: Options) async {
        if let help = try? await Subprocess.run([qemu, "-accel", "help"], timeout: .seconds(15)), help.termination.isSuccess {
            accelerators = Self.parseAcceleratorHelp(help.standardOutput)
        }
        findings.append(Finding(
            "accelerators", accelerators.contains("tcg") || accelerators.contains("kvm") ? .ok : .warning,
            accelerators.isEmpty
                ? "\(qemu) -accel help listed none"
                : accelerators.joined(separator: ", ") + " (built into QEMU; what works here follows)"))

        // KVM: does QEMU get it, and what does query-kvm say?
        var kvmFailure: String?
        if !accelerators.contains("kvm") {
            kvmFailure = "this QEMU has no KVM support"
        } else if !kvmDevice.canOpen {
            kvmFailure = "not tried: \(kvmDevice.path) cannot be used (see above)"
        } else {
            switch await Self.withMonitor(qemu: qemu, accelerator: "kvm", timeout: options.monitorTimeout, {
                try await $0.execute(QueryKVM())
            }) {
            case .success(let info): kvmInfo = info
            case .failure(let error): kvmFailure = error.message
            }
        }
        if let kvmInfo {
            findings.append(Finding(
                "kvm", kvmInfo.enabled ? .ok : .problem,
                "QEMU starts with -accel kvm; query-kvm: enabled \(kvmInfo.enabled), present \(kvmInfo.present)"))
        } else {
            findings.append(Finding("kvm", kvmDevice.exists ? .problem : .warning, "KVM not usable: \(kvmFailure ?? "unknown")"))
        }

        // TCG, and the machine list from that QEMU.
        var tcgFailure = ""
        switch await Self.withMonitor(qemu: qemu, accelerator: "tcg", timeout: options.monitorTimeout, {
            try await $0.execute(QueryMachines())
        }) {
        case .success(let list):
            tcgStarts = true
            machines = list
        case .failure(let error):
            tcgFailure = error.message
        }

        // Guest boots, at the same time (a hung KVM guest takes its full time limit).
        let kernel = options.guestKernel
        let probeKVM = options.probeGuests && kernel != nil && kvmInfo?.enabled == true
        let probeTCG = options.probeGuests && kernel != nil && tcgStarts
        async let kvmProbe = probeKVM
            ? Self.probeGuestBoot(qemu: qemu, accelerator: "kvm", kernel: kernel!, timeout: options.kvmGuestTimeout) : nil
        async let tcgProbe = probeTCG
            ? Self.probeGuestBoot(qemu: qemu, accelerator: "tcg", kernel: kernel!, timeout: options.tcgGuestTimeout) : nil
        kvmGuest = await kvmProbe
        tcgGuest = await tcgProbe

        let kernelFailure = guestBootsAreConclusive ? nil : tcgGuest?.qemuFailure
        if kvmInfo?.enabled == true {
            if let probe = kvmGuest, kernelFailure == nil {
                findings.append(Self.finding(for: probe))
            } else {
                let reason = !options.probeGuests
                    ? "guest boot not tried (quick check)"
                    : kernelFailure.map { "QEMU cannot boot the guest kernel \(kernel ?? "") (\($0))" }
                        ?? "no guest kernel to try (scripts/build-test-guest.sh builds one; or give one with --guest-kernel)"
                findings.append(Finding(
                    "kvm guest", .warning,
                    "KVM is present and enabled; whether guests run under it is not checked: \(reason). On some hosts "
                        + "(nested virtualization) guests hang under KVM: if a guest shows no progress, use --accel tcg"))
            }
        }
        if tcgStarts {
            if let kernelFailure {
                findings.append(Finding(
                    "tcg", .warning,
                    "QEMU starts with -accel tcg; guest boot not checked: QEMU cannot boot the guest kernel \(kernel ?? "") "
                        + "(\(kernelFailure))"))
            } else if let probe = tcgGuest {
                var finding = Self.finding(for: probe)
                finding.topic = "tcg"
                findings.append(finding)
            } else {
                findings.append(Finding("tcg", .ok, "QEMU starts with -accel tcg (guest boot not tried)"))
            }
        } else {
            findings.append(Finding("tcg", .problem, "QEMU does not start with -accel tcg: \(tcgFailure)"))
        }

        if !machines.isEmpty {
            let summary = Self.machineSummary(machines)
            findings.append(Finding("machines", .ok, summary.message, details: summary.details))
        }
    }

    private static func finding(for probe: GuestBootProbe) -> Finding {
        let kernelName = probe.kernel.split(separator: "/").last.map(String.init) ?? probe.kernel
        let what = "a guest kernel (\(kernelName)) under -accel \(probe.accelerator)"
        let topic = "\(probe.accelerator) guest"
        if let after = probe.bannerAfter {
            let version = probe.banner.flatMap { $0.split(separator: " ").dropFirst(2).first }.map { " (Linux \($0))" } ?? ""
            return Finding(topic, .ok, "\(what) started in \(seconds(after))\(version)")
        }
        if let failure = probe.qemuFailure {
            return Finding(topic, .problem, "\(what) did not start: \(failure)")
        }
        let stopped = probe.lastLine.isEmpty
            ? "printed nothing in \(seconds(probe.timeout))"
            : "stopped after \"\(probe.lastLine.prefix(100))\" and printed nothing more in \(seconds(probe.timeout))"
        let advice = probe.accelerator == "kvm" ? ": guests do not run under KVM on this host; use --accel tcg" : ""
        return Finding(topic, .problem, "\(what) \(stopped)\(advice)")
    }

    /// `4.9 s`.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        let tenths = (milliseconds + 50) / 100
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }

    private static func field<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }
}
