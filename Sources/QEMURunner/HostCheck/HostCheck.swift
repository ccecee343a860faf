public import QMP

/// What this host offers for running QEMU guests: the classic `uname -m` and `kvm-ok` checks done properly, plus
/// what a real QEMU says and does here.
///
/// Each check is a ``Finding`` (ok / warning / problem, with a message that says what to do). Beyond "is
/// `/dev/kvm` there", the check starts QEMU with `-accel kvm` and asks `query-kvm`, and — when a guest kernel is at
/// hand — boots it under KVM and under TCG for a few seconds to see whether it makes progress: on some hosts
/// (nested virtualization) KVM opens and reports itself enabled, yet guests hang.
///
/// Not an error: a host without KVM (guests run under TCG, slower), a missing qemu-img (only images need it).
/// A library value: it never prints; `qmpsh doctor` prints it.
///
/// ```swift
/// let check = await HostCheck.run()
/// for finding in check.findings { print(finding.status, finding.topic, finding.message) }
/// if let accelerator = check.recommendedAccelerator { ... }   // "kvm" or "tcg"; nil: QEMU cannot run here
/// ```
public struct HostCheck: Sendable {
    /// One observation about the host.
    public struct Finding: Sendable, Hashable {
        /// How serious a finding is; ordered `ok` < `warning` < `problem`.
        public enum Status: String, Sendable, Hashable, Comparable {
            /// `ok`: nothing to do; `warning`: works, but slower or with less; `problem`: guests cannot run until it
            /// is fixed.
            case ok, warning, problem

            public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
            private var rank: Int { self == .ok ? 0 : self == .warning ? 1 : 2 }
        }

        /// What was checked: `host`, `cpu`, `/dev/kvm`, `qemu`, `qemu-img`, `accelerators`, `kvm`, `kvm guest`,
        /// `tcg`, `machines`.
        public var topic: String
        /// How serious it is.
        public var status: Status
        /// One line; for warnings and problems it says what to do.
        public var message: String
        /// Further lines (the machine list).
        public var details: [String]

        /// A finding about `topic`; `details` are further lines shown under the message.
        public init(_ topic: String, _ status: Status, _ message: String, details: [String] = []) {
            self.topic = topic
            self.status = status
            self.message = message
            self.details = details
        }
    }

    /// What to check and with which programs.
    public struct Options: Sendable {
        /// `$QMPKIT_QEMU`, else `qemu-system-x86_64`.
        public var qemu = HostCheck.defaultQEMU
        /// The qemu-img program: `$QMPKIT_QEMU_IMG`, else `qemu-img` from `PATH` (``DiskImage/defaultProgram``).
        public var qemuImg = DiskImage.defaultProgram
        /// The KVM device to inspect.
        public var kvmDevice = "/dev/kvm"
        /// Boot ``guestKernel`` under KVM and under TCG, at the same time, to see whether guests make progress.
        /// Takes as long as the slower boot: ``kvmGuestTimeout`` when KVM hangs, ~5 s for TCG on an idle host.
        public var probeGuests = true
        /// A bzImage kernel for the guest probes; by default the test guest's (see ``defaultGuestKernel``).
        public var guestKernel: String? = HostCheck.defaultGuestKernel
        /// How long a kernel under KVM may take to print its banner (a working KVM needs well under a second).
        public var kvmGuestTimeout: Duration = .seconds(8)
        /// The same under TCG (~5 s on a two-core machine; the bzImage decompressor is slow when emulated).
        public var tcgGuestTimeout: Duration = .seconds(30)
        /// For QEMU's start-up and each monitor command.
        public var monitorTimeout: Duration = .seconds(15)
        /// Receives a line before each slow step (for a caller that shows progress on a terminal).
        public var progress: (@Sendable (String) -> Void)?

        /// The defaults: the usual programs and `/dev/kvm`, guest probes on with the test guest's kernel.
        public init() {}
    }

    /// In the order checked.
    public var findings: [Finding] = []

    /// `uname -m`, e.g. `x86_64`.
    public var architecture = ""
    /// `uname -r`.
    public var kernelRelease = ""
    /// `qemu-system-x86_64` as found, with its `--version`; `nil` when it is not installed.
    public var qemu: Tool?
    /// `qemu-img` as found, with its `--version`; `nil` when it is not installed.
    public var qemuImg: Tool?
    /// What `-accel help` lists (e.g. `tcg`, `kvm`): what the binary supports, not what works here.
    public var accelerators: [String] = []
    /// `vmx` / `svm` when the CPU advertises hardware virtualization.
    public var cpuVirtualizationFlags: [String] = []
    /// Loaded KVM modules (`kvm_intel`, `kvm_amd`, `kvm_pvm`, ...).
    public var kvmModules: [String] = []
    /// What the KVM device looks like to this process.
    public var kvmDevice: KVMDevice
    /// `query-kvm` of a QEMU started with `-accel kvm -machine none`; `nil` when that QEMU did not start.
    public var kvmInfo: KVMInfo?
    /// Whether QEMU starts with `-accel tcg`.
    public var tcgStarts = false
    /// The guest boots; `nil` when not run.
    public var kvmGuest: GuestBootProbe?
    /// The TCG guest boot; `nil` when not run.
    public var tcgGuest: GuestBootProbe?
    /// `query-machines`.
    public var machines: [MachineInfo] = []

    /// Whether guests run under KVM: `true`/`false` when a guest boot was tried, `nil` when not checked.
    public var kvmRunsGuests: Bool? {
        guard kvmDevice.canOpen, kvmInfo?.enabled == true else { return false }
        return guestBootsAreConclusive ? kvmGuest?.madeProgress : nil
    }

    /// Whether guests run under TCG (QEMU starts with it, and a guest boot, when tried, made progress).
    public var tcgRunsGuests: Bool {
        tcgStarts && (guestBootsAreConclusive ? tcgGuest?.madeProgress ?? true : true)
    }

    /// The guest boots say something about the accelerators only when QEMU could load the kernel: a QEMU that
    /// ends at once under TCG (e.g. "invalid kernel header") points at the kernel, not at TCG or KVM.
    public var guestBootsAreConclusive: Bool { tcgGuest?.qemuFailure == nil }

    /// `kvm` when a guest made progress under KVM (or KVM is enabled and nothing else works), else `tcg` when
    /// TCG works, else `nil`: QEMU cannot run guests here.
    public var recommendedAccelerator: String? {
        if kvmRunsGuests == true { return "kvm" }
        if tcgRunsGuests { return "tcg" }
        if kvmRunsGuests == nil && kvmInfo?.enabled == true { return "kvm" }
        return nil
    }

    /// QEMU is installed and can run guests with at least one accelerator.
    public var isUsable: Bool { qemu != nil && recommendedAccelerator != nil }

    /// One line: what works, and which `--accel` to use.
    public var summary: String {
        guard qemu != nil else { return "not usable: QEMU (qemu-system-x86_64) is not installed" }
        switch (kvmRunsGuests, tcgRunsGuests) {
        case (true?, _): return "usable: guests run under KVM (--accel kvm or auto)"
        case (false?, true):
            return kvmInfo?.enabled == true
                ? "usable with --accel tcg: KVM is present and enabled, but guests do not run under it here"
                : "usable with --accel tcg (no usable KVM: guests run emulated, slower)"
        case (nil, true):
            return "usable with --accel tcg; KVM is enabled, but whether guests run under it was not checked "
                + "(if a guest shows no progress under KVM, use --accel tcg)"
        case (nil, false) where kvmInfo?.enabled == true:
            return "maybe usable with --accel kvm (not checked); TCG does not work"
        default:
            return "not usable: QEMU cannot run guests here (neither KVM nor TCG works)"
        }
    }

    /// A program found for the check.
    public struct Tool: Sendable, Hashable {
        /// Where it was found (`PATH` resolved).
        public var path: String
        /// From `--version`; `nil` when the output could not be read.
        public var version: QEMUVersion?
        /// The first line of `--version`.
        public var versionLine: String
    }
}
