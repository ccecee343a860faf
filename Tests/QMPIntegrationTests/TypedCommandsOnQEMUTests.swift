import Testing
import QMP
import QMPTestSupport

/// Typed commands and events against a real QEMU: what the golden tests decode from captured text, checked live.
@Suite(.timeLimit(.minutes(2))) struct TypedCommandsOnQEMUTests {
    @Test func typedQueriesDecodeLiveReplies() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-M", "pc", "-S", "-smp", "1,maxcpus=2", "-m", "128,slots=2,maxmem=1G"])
        let client = try await qemu.connect()
        let version = try await client.execute(QueryVersion())
        #expect(version.version == client.greeting.version)
        let status = try await client.execute(QueryStatus())
        #expect(status.status == .prelaunch)
        #expect(status.running == false)
        let commands = try await client.execute(QueryCommands())
        #expect(commands.contains { $0.name == "blockdev-change-medium" })
        let cpus = try await client.execute(QueryHotpluggableCPUs())
        #expect(cpus.count == 2)
        #expect(cpus.contains { $0.qomPath == nil })  // the free slot
        let pci = try await client.execute(QueryPCI())
        #expect(pci.first?.devices.isEmpty == false)
        let text = try await client.execute(HumanMonitorCommand("info status"))
        #expect(text.hasPrefix("VM status: paused (prelaunch)"))
        await client.close()
    }

    @Test func typedObjectsAndQOM() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        _ = try await client.execute(ObjectAdd(qomType: "memory-backend-ram", id: "mem1", properties: ["size": 1_048_576]))
        let size = try await client.execute(QOMGet(path: "/objects/mem1", property: "size"))
        #expect(size == 1_048_576)
        let properties = try await client.execute(QOMList(path: "/objects/mem1"))
        #expect(properties.contains { $0.name == "size" })
        _ = try await client.execute(ObjectDel(id: "mem1"))
        await #expect(throws: QMPError.self) { try await client.execute(QOMGet(path: "/objects/mem1", property: "size")) }
        await client.close()
    }

    @Test func typedEventsFromStopAndCont() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        _ = try await client.execute(Stop())
        _ = try await client.waitForEvent(StopEvent.self, timeout: .seconds(10))
        _ = try await client.execute(Cont())
        _ = try await client.waitForEvent(ResumeEvent.self, timeout: .seconds(10))
        _ = try await client.execute(Quit())
        let shutdown = try await client.waitForEvent(ShutdownEvent.self, since: .cursor(EventCursor(sequence: 0)), timeout: .seconds(10))
        #expect(shutdown.guest == false)
        try await qemu.waitForExit()
        await client.close()
    }
}
