#if canImport(Glibc)
import Glibc
#endif
import Testing
import HMP
import MonitorShell
import QEMURunner
import QMP
import QMPLibvirt
import QMPSchema
import QMPTestSupport
import QMPWire

/// The test guest run by libvirt, reached only through `libvirt:DOMAIN`: every step is checked inside the guest
/// through its serial console. One domain runs the steps in order (booting costs seconds under TCG).
@Suite(.serialized, .timeLimit(.minutes(5))) struct LibvirtMonitorTests {
    @Test func monitorOfALibvirtGuest() async throws {
        try await TestDomain.with("mon") { domain in
            let client = try await LibvirtMonitor.connect(domain.monitor)
            do {
                try await Self.statusAndHMP(client, domain)
                try await Self.inFlightAndAffine(client)
                try await Self.stopAndContinue(client, domain)
                try await Self.diskHotplug(client, domain)
                try await Self.mediaSwap(client, domain)
                try await Self.schemaValidation(client)
                try await Self.sessionThroughConnector(domain)
                try await Self.domainGoesAway(client, domain)
            } catch {
                await client.close()
                throw error
            }
        }
    }

    static func statusAndHMP(_ client: QMPClient, _ domain: TestDomain) async throws {
        // The greeting carries the version QEMU reported through libvirt; libvirt negotiated, so no capabilities.
        #expect(client.greeting.version.major >= 7)
        #expect(client.enabledCapabilities.isEmpty)
        let status = try await client.execute(QueryStatus())
        #expect(status.running)
        #expect(try await client.hmp("info status").contains("VM status: running"))
        // A QEMU error is a QMPError with its class, as on a local socket, and the connection stays usable.
        await #expect {
            try await client.execute(DeviceDel(id: "no-such-device"))
        } throws: { error in
            (error as? QMPError)?.errorClass == "DeviceNotFound"
        }
        // Replies keep the caller's id (libvirt numbers its own).
        let raw = try await client.execute("query-name", id: .string("mine-1"))
        #expect(raw.objectValue != nil)
        #expect(try await domain.run("echo alive-$((40+2))").contains("alive-42"))
    }

    /// The transport takes one request at a time (libvirt's call blocks; the client queues the rest): 64 calls of
    /// two kinds in flight each get their own reply, in order. Inside `withAffinity` every command resumes on the
    /// transport's worker thread, the one that makes libvirt's calls (no thread switch a command).
    static func inFlightAndAffine(_ client: QMPClient) async throws {
        let mismatched = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    if index.isMultiple(of: 2) { return try await client.execute("query-status")["status"] == nil }
                    return try await client.execute("query-version")["qemu"] == nil
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(mismatched == 0, "\(mismatched) of 64 calls got another call's reply")
        let affineThreads = { @Sendable () async throws -> Set<UInt> in
            try await client.withAffinity {
                var threads: Set<UInt> = []
                for _ in 0..<20 {
                    _ = try await client.execute("query-status")
                    threads.insert(UInt(pthread_self()))
                }
                return threads
            }
        }
        let first = try await affineThreads()
        let second = try await affineThreads()
        #expect(first.count == 1 && first == second, "affine loops resumed on \(first) and \(second)")
    }

    static func stopAndContinue(_ client: QMPClient, _ domain: TestDomain) async throws {
        _ = try await client.execute(Stop())
        _ = try await client.waitForEvent(StopEvent.self, timeout: .seconds(30))
        #expect(try await client.execute(QueryStatus()).status == .paused)
        // Paused: the guest does not answer until it runs again.
        try domain.console.send("echo back-$((1+1))\n")
        _ = try await client.execute(Cont())
        _ = try await client.waitForEvent(ResumeEvent.self, timeout: .seconds(30))
        try await domain.console.expect("back-2", timeout: .seconds(30))
        try await domain.console.expect("guest# ", timeout: .seconds(30))
    }

    static func diskHotplug(_ client: QMPClient, _ domain: TestDomain) async throws {
        let disk = domain.directory.file("d1.qcow2")
        let created = try await Subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"])
        #expect(created.termination.isSuccess, "qemu-img: \(created.standardError)")
        #expect(!(try await domain.run("ls /sys/block")).contains("vda"))
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "d1", filename: disk))
        _ = try await client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vd1", properties: ["drive": "d1"]))
        let listed = try await domain.poll("ls /sys/block") { $0.contains("vda") }
        #expect(listed.contains("vda"))
        #expect(try await domain.run("cat /sys/block/vda/size").contains("131072"))  // 64 MiB in sectors
        _ = try await client.execute(DeviceDel(id: "vd1"))
        _ = try await client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(60)) { $0.device == "vd1" }
        #expect(!(try await domain.run("ls /sys/block")).contains("vda"))
        _ = try await client.execute(BlockdevDel(nodeName: "d1"))
    }

    static func mediaSwap(_ client: QMPClient, _ domain: TestDomain) async throws {
        #expect(try await domain.run("mount -t iso9660 /dev/sr0 /mnt 2>&1; cat /mnt/LABEL 2>&1").contains("disc-A"))
        _ = try await domain.run("umount /mnt")
        let events = client.events(.names(DeviceTrayMovedEvent.name))
        _ = try await client.execute(BlockdevChangeMedium(
            id: TestDomain.cdromID, filename: TestDomain.guestDirectory + "/b.iso", format: "raw"))
        let opened = try #require(try await events.next()).decode(DeviceTrayMovedEvent.self)
        let closed = try #require(try await events.next()).decode(DeviceTrayMovedEvent.self)
        #expect(opened.trayOpen && !closed.trayOpen)
        #expect(opened.id == TestDomain.cdromID)
        let label = try await domain.poll("mount -t iso9660 /dev/sr0 /mnt 2>&1; cat /mnt/LABEL 2>&1") { $0.contains("disc-B") }
        #expect(label.contains("disc-B"))
        _ = try await domain.run("umount /mnt")
    }

    static func schemaValidation(_ client: QMPClient) async throws {
        let schema = try await QAPISchema.load(from: client)
        #expect(schema.command(named: "blockdev-change-medium") != nil)
        let report = schema.validate(command: "device_del", arguments: ["idd": "vd1"])
        #expect(!report.isValid)
        #expect(report.errors.contains { "\($0)".contains("idd") })
    }

    /// What the REPL's `.use` and `qmpsh run --monitor` do: open a session through a connector that knows libvirt,
    /// then complete and validate against the live monitor. A second client at the same time is fine (libvirt
    /// multiplexes the monitor).
    static func sessionThroughConnector(_ domain: TestDomain) async throws {
        let connector = MonitorConnector.standard.adding(scheme: "libvirt", LibvirtMonitor.connect)
        try connector.validate(domain.monitor)
        let session = try await connector.connect(domain.monitor)
        do {
            #expect(session.speaksQMP)
            #expect(session.label == domain.monitor)
            let schema = try #require(try await session.schema())
            let live = try #require(session.live)
            await live.beginPrompt()
            let ids = await live.complete(lineBeforeCursor: "blockdev-change-medium id=", with: SchemaCompleter(schema: schema))
            #expect(ids.candidates.contains { $0.contains(TestDomain.cdromID) }, "\(ids)")
            #expect(try await session.humanMonitor.run("info status", timeout: .seconds(10)).contains("running"))
            await session.close()
        } catch {
            await session.close()
            throw error
        }
    }

    /// The domain is destroyed while a wait is pending: the wait fails at once with a connection error.
    static func domainGoesAway(_ client: QMPClient, _ domain: TestDomain) async throws {
        async let wait: QMPEvent = client.waitForEvent("NEVER_SENT", since: .now, timeout: .seconds(60))
        domain.destroy()
        do {
            _ = try await wait
            Issue.record("the wait outlived the domain")
        } catch {
            #expect(error is QMPConnectionError, "\(error)")
        }
        #expect(client.isClosed)
    }

    /// libvirtd stops while a client waits: the wait fails at once (the connection's close callback shuts the
    /// bridge), and after a restart the guest's monitor is reachable again.
    @Test func daemonStopsWhileConnected() async throws {
        try await TestDomain.with("daemon", autoDestroy: false) { domain in
            let client = try await LibvirtMonitor.connect(domain.monitor)
            #expect(try await client.execute(QueryStatus()).running)
            async let wait: QMPEvent = client.waitForEvent("NEVER_SENT", since: .now, timeout: .seconds(60))
            let pidText = try #require(readTextFile("/run/libvirtd.pid")).filter(\.isNumber)
            let pid = try #require(Int32(pidText))
            #expect(kill(pid, SIGTERM) == 0)
            do {
                _ = try await wait
                Issue.record("the wait outlived libvirtd")
            } catch {
                #expect(error is QMPConnectionError, "\(error)")
            }
            await client.close()

            // While it is down, the default URI gets the one-line hint to start it (once the process is gone).
            let exited = try await ChildProcess.run(["tail", "--pid=\(pid)", "-f", "/dev/null"])
            #expect(exited.status == 0)
            let down = try await ChildProcess.run([ChildProcess.productsDirectory + "/qmpsh", "exec", domain.monitor, "query-status"])
            #expect(down.status == 3, "\(down)")
            #expect(down.standardError.hasPrefix("LibvirtError: libvirtd is not running (nothing answers for qemu:///system): start it with"), "\(down)")

            try await LibvirtHost.ready()
            // libvirtd re-attaches to the running QEMU: the same monitor string works again.
            let again = try await LibvirtMonitor.connect(domain.monitor)
            #expect(try await again.execute(QueryStatus()).running)
            await again.close()
        }
    }
}
