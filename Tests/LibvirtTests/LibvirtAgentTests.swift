import GuestAgent
import QMP
import QMPLibvirt
import QMPTestSupport
import Testing

/// The guest agent of a guest libvirt runs (`libvirt+qga:DOMAIN`, through virDomainQemuAgentCommand): the test
/// domain has an agent channel and the test guest runs qemu-ga.
@Suite(.serialized, .timeLimit(.minutes(5))) struct LibvirtAgentTests {
    @Test func agentCommandsThroughLibvirt() async throws {
        try await TestDomain.with("agent") { domain in
            let connector = GuestAgentConnector(libvirt: LibvirtAgent.open)
            let agent = try await connector.connect("libvirt+qga:\(domain.name)", timeout: .seconds(30))
            // libvirt learns that the guest opened the agent port a moment after the shell is up, and answers
            // "not connected" until then; it sends no event this connection could wait for, so ask again, bounded.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            while true {
                do {
                    try await agent.ping(timeout: .seconds(10))
                    break
                } catch where (error is QMPConnectionError || error is QMPTimeoutError) && clock.now < deadline {
                    print("agent not ready yet: \(error)")
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            #expect(try await agent.osInfo().id == "qmpkit-busybox")
            let result = try await agent.run("/bin/sh", arguments: ["-c", "echo through-libvirt; exit 4"])
            #expect(result.stdoutText == "through-libvirt\n" && result.status.exitCode == 4)
            await #expect(throws: QMPError.self) { _ = try await agent.readFile("/no/such/file") }
            await agent.close()
            // qmpsh guest with the domain's bare name: its agent through libvirt.
            let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
            let exec = try await ChildProcess.run([qmpsh, "guest", domain.name, "exec", "-v", "--", "sh", "-c", "echo hi; exit 2"])
            #expect(exec.status == 2 && exec.standardOutput == "hi\n", "\(exec)")
            // -v shows the relay's traffic too, as request and reply (libvirt adds the ids and synchronises).
            #expect(exec.standardError.contains("qga -> {\"execute\":\"guest-exec\"") && exec.standardError.contains("qga <- {\"return\""), "\(exec)")
            let info = try await ChildProcess.run([qmpsh, "guest", "libvirt+qga:" + domain.name, "info"])
            #expect(info.status == 0 && info.standardOutput.contains("qmpkit busybox test guest"), "\(info)")
            // An example's agent twin on a guest libvirt runs: no console, the monitor and the agent through libvirt.
            let example = LibvirtHost.repositoryRoot + "/scripts/examples/hotplug-nic-agent.qmp"
            let run = try await ChildProcess.run(
                [qmpsh, "run", example, "--monitor", domain.monitor, "--agent", "libvirt+qga:" + domain.name],
                timeout: .seconds(180))
            #expect(run.status == 0 && run.standardOutput.contains("10 statements, 10 passed"), "\(run)")
        }
    }
}
