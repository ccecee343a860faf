#if canImport(Glibc)
import Glibc
#endif
import GuestAgent
import LineEditing
import MonitorShell
import QEMURunner
import QMP
import QMPTestSupport
import Testing

/// The test guest (scripts/build-test-guest.sh, with qemu-ga since GUEST_FORMAT 3): `$QMPKIT_GUEST_DIR` or
/// `~/.cache/qmpkit/guest`. Missing files make the tests fail, never skip.
enum AgentTestGuest {
    static var directory: String {
        if let value = getenv("QMPKIT_GUEST_DIR") { return String(cString: value) }
        return (getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest"
    }

    static func file(_ name: String) -> String { directory + "/" + name }

    static func machine(agent: Bool = true) throws -> MachineConfiguration {
        for name in ["vmlinux", "initrd.gz", "a.iso", "b.iso"] where access(file(name), R_OK) != 0 {
            throw TestSupportError("no \(file(name)): build the test guest with scripts/build-test-guest.sh")
        }
        var machine = MachineConfiguration()
        machine.accelerator = .tcg
        machine.kernel = file("vmlinux")
        machine.initrd = file("initrd.gz")
        machine.append = "console=ttyS0 memhp_default_state=online quiet qmpkit.noecho"
        machine.agent = agent
        return machine
    }

    static var options: Guest.Options {
        var options = Guest.Options()
        options.powerdownTimeout = .zero
        return options
    }
}

/// The guest agent on the real busybox test guest under TCG: one boot runs the steps in order (a boot costs
/// seconds), ending with `guest-shutdown`, whose success is the end of the connection.
@Suite(.serialized, .timeLimit(.minutes(5))) struct GuestAgentGuestTests {
    @Test func agentOnTheTestGuest() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-agent")
        let disk = directory.file("d1.qcow2")
        let created = try await Subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"])
        #expect(created.termination.isSuccess)
        var machine = try AgentTestGuest.machine()
        machine.cdrom = AgentTestGuest.file("a.iso")
        // Issue 14 item 10 for the agent: its wire reaches an observer and a trace logger (this boot, no other).
        let wire = AgentWireCollector()
        var options = AgentTestGuest.options
        options.agent.messageObserver = wire.observer
        options.agent.logger = wire.logger
        let guest = try await Guest.launch(machine, options: options)
        do {
            let clock = ContinuousClock()
            let start = clock.now
            try await guest.waitForAgent(timeout: .seconds(120))
            print("agent ready \(clock.now - start) after launch")
            let agent = try #require(guest.agent)
            try await Self.basics(agent)
            wire.expectTheBasics()
            try await Self.hotplug(guest, agent: agent, disk: disk)
            try await Self.mediaSwap(guest, agent: agent)
            try await Self.shellSwitchesBetweenMonitorAndAgent(guest, agent: agent)
            let shutdownScript = try await Self.resynchronisesAfterGivingUp(guest, agent: agent)
            try await Self.staleReplyFromAnEarlierClient(guest, restoring: shutdownScript)
            try await Self.shutdownWithoutReply(guest)
        } catch {
            await guest.shutdown()
            throw error
        }
        await guest.shutdown()
    }

    static func basics(_ agent: GuestAgentClient) async throws {
        try await agent.ping()
        let info = try await agent.info()
        #expect(info.version.hasPrefix("7."))
        #expect(info.enabledCommandNames.contains("guest-exec"))
        #expect(info.supportedCommands.contains { $0.name == "guest-shutdown" && !$0.successResponse })
        let os = try await agent.osInfo()
        #expect(os.id == "qmpkit-busybox")
        #expect(os.kernelRelease?.hasSuffix("-amd64") == true)
        let echo = try await agent.run("/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"])
        #expect(echo.stdoutText == "out\n")
        #expect(echo.stderrText == "err\n")
        #expect(echo.status.exitCode == 3)
        let cat = try await agent.run("/bin/cat", input: Array("from the host".utf8))
        #expect(cat.stdoutText == "from the host")
        let contents = (0..<3000).map { UInt8($0 % 251) }
        try await agent.writeFile("/tmp/agent-file", contents: contents)
        #expect(try await agent.readFile("/tmp/agent-file") == contents)
        await #expect(throws: QMPError.self) { _ = try await agent.readFile("/no/such/file") }
        #expect(try await agent.vcpus().count == 1)
        #expect(try await agent.time() > 1_600_000_000_000_000_000)
        #expect(agent.statistics.strayParseErrors >= 1)
    }

    /// A hot-plugged disk and NIC, seen through the agent.
    static func hotplug(_ guest: Guest, agent: GuestAgentClient, disk: String) async throws {
        let client = guest.client
        #expect(!(try await agent.deviceIsPresent(.disk, "vda")))
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "d1", filename: disk))
        _ = try await client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vd1", properties: ["drive": "d1"]))
        let took = try await agent.waitForDevice(.disk, "vda", timeout: .seconds(60))
        print("agent saw the hot-plugged disk after \(took)")
        let deleted = client.events(.names("DEVICE_DELETED"))
        _ = try await client.execute(DeviceDel(id: "vd1"))
        while try #require(try await deleted.next()).data["device"]?.stringValue != "vd1" {}
        #expect(!(try await agent.deviceIsPresent(.disk, "vda")))

        _ = try await client.execute("netdev_add", arguments: ["type": "user", "id": "n1"])
        _ = try await client.execute(
            "device_add", arguments: ["driver": "virtio-net-pci", "netdev": "n1", "id": "nic1", "mac": "52:54:00:12:34:56"])
        try await agent.waitForDevice(.nic, "52:54:00:12:34:56", timeout: .seconds(60))
        #expect(try await agent.networkInterfaces().contains { $0.hardwareAddress == "52:54:00:12:34:56" })
    }

    /// A CD swap, checked by reading the new disc through the agent.
    static func mediaSwap(_ guest: Guest, agent: GuestAgentClient) async throws {
        let read = ["-c", "mount -t iso9660 /dev/sr0 /mnt 2>&1 && cat /mnt/LABEL; umount /mnt 2>/dev/null"]
        #expect(try await agent.run("/bin/sh", arguments: read).stdoutText.contains("disc-A"))
        let events = guest.client.events(.names(DeviceTrayMovedEvent.name))
        _ = try await guest.client.execute(BlockdevChangeMedium(
            id: MachineConfiguration.cdromDeviceID, filename: AgentTestGuest.file("b.iso"), format: "raw"))
        _ = try await events.next()
        _ = try await events.next()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var label = ""
        while !label.contains("disc-B") && clock.now < deadline {
            label = try await agent.run("/bin/sh", arguments: read).stdoutText
        }
        #expect(label.contains("disc-B"))
    }

    /// The shell on the guest's monitor and its agent: `.use 2` goes to the agent (its commands, completion from
    /// guest-info, no HMP), `.use 1` back to the monitor.
    static func shellSwitchesBetweenMonitorAndAgent(_ guest: Guest, agent: GuestAgentClient) async throws {
        let monitor = MonitorSession(label: "qmp", client: guest.client)
        let agentSession = MonitorSession(label: "qga", agent: agent)
        let editor = ScriptedLineEditor()
        let repl = Task { await MonitorREPL(sessions: [monitor, agentSession], editor: editor).run() }
        editor.type(".use 2")
        #expect(await editor.waitForOutput(containing: "# now on 2: qga"))
        let names = try #require(await editor.complete("guest-get-o"))
        #expect(names.candidates == ["guest-get-osinfo"], "\(names.candidates)")
        editor.type("guest-get-osinfo")
        #expect(await editor.waitForOutput(containing: #""id":"qmpkit-busybox""#))
        editor.type("hmp info status")
        editor.type("guest-file-open path=/no/such")
        // Lines run in order: once `.use 1` answered, the two before it have failed.
        editor.type(".use 1")
        #expect(await editor.waitForOutput(containing: "# now on 1: qmp", timeout: .seconds(30)))
        #expect(editor.errorOutput.contains("GenericError: failed to open file '/no/such'"), "\(editor.errorOutput)")
        #expect(editor.errorOutput.contains("no human monitor"), "\(editor.errorOutput)")
        editor.type("query-status")
        #expect(await editor.waitForOutput(containing: #""status":"running""#))
        editor.finish()
        #expect(await repl.value == 0)
    }

    /// A /sbin/shutdown that keeps the agent busy for 2 s and then fails: guest-shutdown then blocks the agent
    /// (it waits for the program) and answers late, with an error.
    static let slowShutdown = Array("#!/bin/sh\n# test: keep qemu-ga busy, then fail\nsleep 2\nexit 1\n".utf8)

    /// A call given up on leaves the agent busy; its late reply must not be taken for the next call's: the client
    /// synchronises again first and discards it.
    static func resynchronisesAfterGivingUp(_ guest: Guest, agent: GuestAgentClient) async throws -> [UInt8] {
        let original = try await agent.readFile("/sbin/shutdown")
        try await agent.writeFile("/sbin/shutdown", contents: slowShutdown)
        let before = agent.statistics
        // guest-shutdown answers only when it fails: after the grace period (1 s here) the call counts as done and
        // the exchange is abandoned; the agent's error reply comes a second later.
        try await agent.shutdown(mode: "powerdown", timeout: .seconds(1))
        let info = try await agent.osInfo()
        #expect(info.id == "qmpkit-busybox")
        let after = agent.statistics
        #expect(after.synchronizations == before.synchronizations + 1, "\(before) -> \(after)")
        #expect(after.staleReplies >= before.staleReplies + 1, "the late guest-shutdown error: \(before) -> \(after)")
        return original
    }

    /// An earlier client leaves a command in the agent and goes away; its reply reaches the next client first,
    /// which must discard it (and count it) and still get its own answers. (/sbin/shutdown is the slow one.)
    static func staleReplyFromAnEarlierClient(_ guest: Guest, restoring shutdownScript: [UInt8]) async throws {
        let agentPath = try #require(guest.agentPath)
        let agent = try #require(guest.agent)
        await agent.close()  // QEMU serves one agent client at a time

        // The earlier client: synchronised by hand, then guest-shutdown, which keeps the agent busy for 2 s; it
        // leaves at once, long before the (error) reply is written.
        let earlier = try SocketConnection.connect(to: .unix(path: agentPath))
        try earlier.send([0xFF] + Array(#"{"execute":"guest-sync-delimited","arguments":{"id":4711}}"#.utf8) + [10])
        var received: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        while !String(decoding: received, as: UTF8.self).contains("4711") {
            #expect(earlier.waitReadable(milliseconds: 30_000))
            let count = try earlier.receive(into: buffer)
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        try earlier.send(Array(#"{"execute":"guest-shutdown","id":1}"#.utf8) + [10])
        earlier.shutdown()

        var configuration = GuestAgentClient.Configuration()
        configuration.defaultTimeout = .seconds(30)
        let next = try await GuestAgentClient.connect(to: .unix(path: agentPath), configuration: configuration)
        try await next.ping()
        let statistics = next.statistics
        #expect(statistics.staleReplies >= 1, "the earlier client's reply was not discarded: \(statistics)")
        #expect(statistics.strayParseErrors >= 1)  // one per attempt: the agent was busy for a while
        #expect(statistics.synchronizations == 1)
        try await next.writeFile("/sbin/shutdown", contents: shutdownScript)
        await next.close()
    }

    /// `guest-shutdown` answers nothing: the call returns when the connection ends, and the guest is gone.
    static func shutdownWithoutReply(_ guest: Guest) async throws {
        let agent = try await GuestAgentClient.connect(to: .unix(path: try #require(guest.agentPath)))
        try await agent.shutdown(mode: "powerdown", timeout: .seconds(30))
        let termination = await guest.process.wait(timeout: .seconds(60))
        #expect(termination != nil, "guest-shutdown did not power the guest off")
        await agent.close()
    }

    /// A guest booted without --agent has no agent: a clear error at once, no wait.
    @Test func noAgentPortIsAClearError() async throws {
        let guest = try await Guest.launch(try AgentTestGuest.machine(agent: false), options: AgentTestGuest.options)
        #expect(guest.agent == nil)
        do {
            try await guest.waitForAgent(timeout: .seconds(5))
            Issue.record("waitForAgent succeeded on a guest with no agent port")
        } catch let error as RunnerError {
            #expect(error.message.contains("--agent"))
        }
        await guest.shutdown()
    }
}

/// The client against a peer that never answers: synchronisation ends at its deadline with a time-out that says
/// what to check, and nothing waits forever.
@Suite struct GuestAgentSilentPeerTests {
    @Test func synchronisationWithASilentPeerTimesOut() async throws {
        let (ours, theirs) = try SocketConnection.pair()
        let fd = dup(ours.fileDescriptor)
        var configuration = GuestAgentClient.Configuration()
        configuration.synchronizationAttempt = .milliseconds(200)
        let client = try await GuestAgentClient.connect(to: .fileDescriptor(fd), configuration: configuration, synchronizes: false)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await client.synchronize(timeout: .milliseconds(900))
            Issue.record("synchronised with a peer that never answers")
        } catch let error as QMPTimeoutError {
            #expect(error.description.contains("qemu-ga"))
        }
        #expect(clock.now - start < .seconds(5))
        // Every attempt sent a fresh delimited sync.
        var received: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        while theirs.waitReadable(milliseconds: 0) {
            let count = try theirs.receive(into: buffer)
            if count == 0 { break }
            received += buffer[0..<count]
        }
        #expect(received.filter { $0 == 0xFF }.count >= 3)
        await client.close()
        withExtendedLifetime(ours) {}
    }

    /// The peer closes while a command waits: the call fails with a connection error at once.
    @Test func aPeerThatGoesAwayFailsTheCall() async throws {
        let (ours, theirs) = try SocketConnection.pair()
        let client = try await GuestAgentClient.connect(to: .fileDescriptor(dup(ours.fileDescriptor)), synchronizes: false)
        let call = Task { try await client.execute("guest-ping", arguments: nil, timeout: .seconds(30)) }
        // Wait for the synchronisation request, then leave.
        #expect(theirs.waitReadable(milliseconds: 10_000))
        theirs.shutdown()
        await #expect(throws: QMPConnectionError.self) { _ = try await call.value }
        await client.close()
        withExtendedLifetime(ours) {}
    }
}
