#if canImport(Glibc)
import Glibc
#endif
import Testing
import QEMURunner
import QMP
import QMPTestSupport

/// The test guest built by scripts/build-test-guest.sh (`~/.cache/qmpkit/guest`, or `$QMPKIT_GUEST_DIR`).
enum TestGuest {
    static var directory: String {
        if let value = environmentValue("QMPKIT_GUEST_DIR") { return value }
        return (environmentValue("HOME") ?? "/root") + "/.cache/qmpkit/guest"
    }

    static func file(_ name: String) -> String { directory + "/" + name }

    /// A configuration that boots the test guest under TCG with a shell on the console, no echo.
    static func machine() -> MachineConfiguration {
        var machine = MachineConfiguration()
        machine.accelerator = .tcg
        // The uncompressed kernel boots in about half the time under TCG (no self-decompression).
        machine.kernel = file("vmlinux")
        machine.initrd = file("initrd.gz")
        machine.append = "console=ttyS0 memhp_default_state=online quiet qmpkit.noecho"
        return machine
    }

    static var options: Guest.Options {
        var options = Guest.Options()
        options.powerdownTimeout = .zero  // busybox init has no ACPI power button handling
        return options
    }

    /// Runs `command` in the guest shell and returns its output (the text up to the next prompt).
    static func run(_ command: String, on guest: Guest, timeout: Duration = .seconds(30)) async throws -> String {
        try guest.console.send(command + "\n")
        let output = try await guest.console.expect("guest# ", timeout: timeout)
        return String(output.dropLast("guest# ".count)).replacingCRLF
    }

    /// Runs `command` until its output satisfies `condition` (the guest notices hot-plug asynchronously).
    static func poll(
        _ command: String, on guest: Guest, timeout: Duration = .seconds(30), until condition: (String) -> Bool
    ) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let output = try await run(command, on: guest)
            if condition(output) { return output }
            guard clock.now < deadline else {
                throw TestSupportError("'\(command)' never gave the expected output; last: \(output)")
            }
        }
    }
}

func environmentValue(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

extension String {
    var replacingCRLF: String {
        var result = ""
        for character in self {
            if character == "\r\n" { result.append("\n") } else if character != "\r" { result.append(character) }
        }
        return result
    }
}
