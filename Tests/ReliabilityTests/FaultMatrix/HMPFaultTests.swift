#if canImport(Glibc)
import Glibc
#endif
import HMP
import QMP
import QMPTestSupport
import Testing

/// The direct HMP socket client when QEMU dies or the peer misbehaves: pending commands fail at once.
@Suite(.timeLimit(.minutes(1))) struct HMPFaultTests {
    @Test func qemuKilledMidCommandFailsPendingCommands() async throws {
        await Probe.warmUp()
        let before = Probe.openDescriptorCount()
        do {
            let directory = try TemporaryDirectory(prefix: "qmpkit-rel")
            let hmpPath = directory.file("hmp.sock")
            let qemu = try QEMUProcess.launch(arguments: ["-machine", "none", "-monitor", "unix:\(hmpPath),server=on,wait=off"])
            let client = try await qemu.connect()  // once QMP answers, the HMP socket exists too
            let monitor = try await HMPSocketClient.connect(to: .unix(path: hmpPath))
            #expect(try await monitor.run("info status").contains("VM status"))
            qemu.kill(SIGSTOP)
            let commands = (0..<5).map { _ in Task { try await monitor.run("info status") } }
            // Let the requests go out (QEMU is stopped: no reply can come). Not a wait for a result: a command
            // not yet sent when QEMU dies fails with the same error.
            try await Task.sleep(for: .milliseconds(50))
            let clock = ContinuousClock()
            let killed = clock.now
            qemu.kill(SIGKILL)
            for command in commands {
                await #expect {
                    try await command.value
                } throws: { error in
                    (error as? QMPConnectionError)?.code == .closedByPeer
                }
            }
            let elapsed = clock.now - killed
            #expect(elapsed < .milliseconds(500))
            await #expect(throws: QMPConnectionError.self) { try await monitor.run("info status") }
            _ = try await qemu.waitForExit()
            await monitor.close()
            await client.close()
            report("QEMU SIGKILLed mid-command on the HMP socket: 5 pending commands failed within \(elapsed.formatted)")
        }
        #expect(await Probe.eventually { Probe.openDescriptorCount() <= before },
                "descriptors leaked: \(Probe.openDescriptorCount() - before)")
    }
}
