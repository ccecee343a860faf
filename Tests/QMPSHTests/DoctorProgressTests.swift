#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPTestSupport

/// Issue 15: `qmpsh doctor` printed nothing for 8 s. On a terminal, the full check (with the guest boots under KVM
/// and TCG, the slowest steps) now shows a line at least every ~2 s.
@Suite(.timeLimit(.minutes(3)), .serialized) struct DoctorProgressTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    @Test func noStepOfDoctorIsSilentOnATerminal() async throws {
        let terminal = try await Tmux(qmpsh, "doctor", width: 160, height: 60)
        let clock = ContinuousClock()
        var lastChange = clock.now
        var longestSilence = Duration.zero
        var previous = ""
        var status: Int32?
        let deadline = clock.now + .seconds(90)
        while status == nil && clock.now < deadline {
            let screen = try await terminal.screen()
            if screen != previous {
                previous = screen
                lastChange = clock.now
            }
            longestSilence = max(longestSilence, clock.now - lastChange)
            status = try await terminal.exitStatus()
            if status == nil { try await Task.sleep(for: .milliseconds(100)) }  // polling the screen, not waiting for it
        }
        #expect(status != nil, "doctor did not finish: \(previous)")
        #expect(previous.contains("# starting QEMU under KVM and TCG"), "\(previous)")
        // ~2 s between lines, plus room for a loaded machine.
        #expect(longestSilence < .seconds(3.5), "silent for \(longestSilence): \(previous)")
    }
}
