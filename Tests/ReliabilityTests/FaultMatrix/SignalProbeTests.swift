#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMPTestSupport
import Testing

/// The shutdown ladder's SIGTERM step works only if QEMU neither blocks nor ignores SIGTERM; a child inherits both
/// from the thread and process that spawn it.
@Suite(.timeLimit(.minutes(1))) struct SignalProbeTests {
    static func signalMasks(_ pid: Int32) -> (blocked: UInt64, ignored: UInt64) {
        let text = String(decoding: Probe.readBytes("/proc/\(pid)/status") ?? [], as: UTF8.self)
        func field(_ name: String) -> UInt64 {
            for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
                return UInt64(line.dropFirst(name.count + 1).trimmingPrefix(while: \.isWhitespace), radix: 16) ?? 0
            }
            return 0
        }
        return (field("SigBlk"), field("SigIgn"))
    }

    @Test func qemuLaunchedByTheRunnerEndsOnSIGTERM() async throws {
        let guest = try await Guest.launch(TestGuest.bareMachine(), options: TestGuest.options)
        let masks = Self.signalMasks(guest.process.pid)
        let bit = UInt64(1) << UInt64(SIGTERM - 1)
        #expect(masks.blocked & bit == 0, "SigBlk \(String(masks.blocked, radix: 16))")
        #expect(masks.ignored & bit == 0, "SigIgn \(String(masks.ignored, radix: 16))")
        guest.process.signal(SIGTERM)
        let termination = await guest.process.wait(timeout: .seconds(5))
        #expect(termination != nil, "QEMU did not end within 5 s of SIGTERM")
        await guest.shutdown()
    }
}
