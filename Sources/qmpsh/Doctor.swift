import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMP

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this host for QEMU: binaries and versions, /dev/kvm, whether guests run under KVM and TCG.",
        discussion: """
            The classic `uname -m` and `kvm-ok` checks, done properly: QEMU is started with -accel kvm and asked
            query-kvm, and — when a guest kernel is at hand (the test guest's, or --guest-kernel) — that kernel is
            booted for a few seconds under KVM and under TCG to see whether it makes progress: on some hosts KVM
            opens and says it is enabled, yet guests hang. --quick skips the boots.
            Each line is ok, warning or problem; the last line says which --accel to use.
            Exit status: 0 QEMU can run guests (under TCG at least); 1 QEMU is missing or nothing works.
            """
    )

    @Flag(help: "Skip the guest boots (well under a second instead of up to ~10 s).")
    var quick = false

    @Option(help: "A bzImage kernel to boot for the KVM/TCG check (default: the test guest's, from ~/.cache/qmpkit/guest).")
    var guestKernel: String?

    @Option(help: "The QEMU binary (default: $QMPKIT_QEMU or qemu-system-x86_64).")
    var qemu: String?

    @Flag(help: "Print one JSON object per finding, then a summary object.")
    var json = false

    func run() async throws {
        var options = HostCheck.Options()
        options.probeGuests = !quick
        if let guestKernel { options.guestKernel = guestKernel }
        if let qemu { options.qemu = qemu }
        // On a terminal, say what the seconds of checking are spent on (stderr; the findings stay on stdout).
        if isatty(2) == 1 && !json { options.progress = { line in Output.err(line + "\n") } }
        let check = await HostCheck.run(options)
        if json {
            for finding in check.findings {
                var object: JSON = ["topic": .string(finding.topic), "status": .string(finding.status.rawValue),
                                    "message": .string(finding.message)]
                if !finding.details.isEmpty, case .object(var members) = object {
                    members["details"] = .array(finding.details.map(JSON.string))
                    object = .object(members)
                }
                Output.out(object.serialized() + "\n")
            }
            let summary: JSON = [
                "usable": .bool(check.isUsable), "accelerator": check.recommendedAccelerator.map(JSON.string) ?? .null,
                "summary": .string(check.summary),
            ]
            Output.out(summary.serialized() + "\n")
        } else {
            Output.out(Self.render(check))
        }
        if !check.isUsable { throw ExitCode(1) }
    }

    /// `ok       /dev/kvm      present ...`, one finding per line, details indented, then the summary.
    static func render(_ check: HostCheck) -> String {
        let width = (check.findings.map(\.topic.count).max() ?? 0) + 2
        var text = ""
        for finding in check.findings {
            let status = finding.status.rawValue
            text += status + String(repeating: " ", count: 9 - status.count)
            text += finding.topic + String(repeating: " ", count: max(1, width - finding.topic.count))
            text += finding.message + "\n"
            for line in finding.details {
                text += String(repeating: " ", count: 9 + width + 2) + line + "\n"
            }
        }
        text += "\n" + check.summary + "\n"
        return text
    }
}
