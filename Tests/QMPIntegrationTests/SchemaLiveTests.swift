#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPSchema
import QMPTestSupport
import Synchronization
import Testing

/// Validation and completion against a real QEMU: the live schema, and live values from a `pc` machine that boots
/// the test guest (the tests do not wait for the guest; its devices exist from the start).
@Suite(.timeLimit(.minutes(2))) struct SchemaLiveTests {
    /// A `pc` machine booting the test guest, with devices that have ids, a node, a CD drive, a chardev and an object.
    static func launchGuestMachine() throws -> QEMUProcess {
        let guest = try TestGuest.files()
        return try QEMUProcess.launch(arguments: [
            "-M", "pc", "-accel", "tcg", "-m", "256",
            "-kernel", guest.kernel, "-initrd", guest.initrd, "-append", "console=ttyS0",
            "-netdev", "user,id=n0", "-device", "virtio-net-pci,id=nic0,netdev=n0",
            "-blockdev", "driver=null-co,node-name=null0", "-device", "virtio-blk-pci,drive=null0,id=vd0",
            "-drive", "if=none,id=cd0,media=cdrom", "-device", "ide-cd,drive=cd0,bus=ide.1,id=cdrom0",
            "-chardev", "null,id=ch0", "-object", "memory-backend-ram,id=mem1,size=1048576",
        ])
    }

    @Test func schemaIsFetchedOncePerConnection() async throws {
        let qemu = try QEMUProcess.launch()
        let fetches = Mutex(0)
        var configuration = QMPClient.Configuration()
        configuration.messageObserver = { direction, message in
            if direction == .sent, message["execute"] == "query-qmp-schema" { fetches.withLock { $0 += 1 } }
        }
        let client = try await qemu.connect(configuration: configuration)
        async let first = QAPISchema.load(from: client)
        async let second = QAPISchema.load(from: client)
        let (a, b) = try await (first, second)
        let third = try await QAPISchema.load(from: client)
        #expect(a.commands.count == b.commands.count && b.commands.count == third.commands.count)
        #expect(fetches.withLock { $0 } == 1)
        // The live schema is the one captured for the unit tests (same QEMU).
        #expect(a.command(named: "blockdev-change-medium") != nil)
        #expect(a.signature(ofCommand: "blockdev-change-medium") == (try await QEMUUnderTest.changeMediumSignature()))
        await client.close()
        // Another connection fetches its own.
        let other = try await qemu.connect(configuration: configuration)
        _ = try await QAPISchema.load(from: other)
        #expect(fetches.withLock { $0 } == 2)
        await other.close()
    }

    @Test func validatesAgainstTheLiveSchemaAndQEMUAgrees() async throws {
        let qemu = try Self.launchGuestMachine()
        let client = try await qemu.connect()
        let schema = try await QAPISchema.load(from: client)
        let live = LiveValues(client: client)

        let typo = try KeyValueArguments.parse(["id=cdrom0", "filname=/tmp/b.iso"])
        let report = await live.validate(command: "blockdev-change-medium", arguments: typo, schema: schema)
        #expect(report.errors.first?.description
            == "unknown argument 'filname' for blockdev-change-medium — did you mean 'filename'?")
        // What the schema rejects, QEMU rejects too.
        await #expect(throws: QMPError.self) {
            try await client.execute("blockdev-change-medium", arguments: .object(typo))
        }
        #expect(schema.validate(command: "query-stauts", arguments: [:]).errors.first?.suggestion == "query-status")

        // device_add: the driver and its properties come from the monitor.
        let property = try KeyValueArguments.parse(["driver=virtio-blk-pci", "drve=null1", "id=vd1"])
        let propertyReport = await live.validate(command: "device_add", arguments: property, schema: schema)
        #expect(propertyReport.errors.first?.description
            == "unknown property 'drve' for device_add driver 'virtio-blk-pci' — did you mean 'drive'?")
        let driver = try KeyValueArguments.parse(["driver=virtio-blk-pcx", "drive=null1"])
        let driverReport = await live.validate(command: "device_add", arguments: driver, schema: schema)
        #expect(driverReport.errors.first?.description
            == "unknown device driver 'virtio-blk-pcx' for device_add — did you mean 'virtio-blk-pci'?")

        // What the schema accepts, QEMU accepts: a hot-plug of a new node on the booting guest.
        let accepted: [(String, [String])] = [
            ("blockdev-add", ["driver=null-co", "node-name=null1", "size=1048576"]),
            ("device_add", ["driver=virtio-blk-pci", "drive=null1", "id=vd1", "bootindex=3", "serial=abc"]),
            ("blockdev-change-medium", ["id=cdrom0", "filename=" + TestGuest.isoA, "format=raw", "read-only-mode=retain"]),
            ("qom-get", ["path=/machine/peripheral/vd1", "property=serial"]),
            ("human-monitor-command", ["command-line=info block"]),
        ]
        for (command, words) in accepted {
            let arguments = try KeyValueArguments.parse(words)
            let report = await live.validate(command: command, arguments: arguments, schema: schema)
            #expect(report.isValid && report.warnings.isEmpty, "\(command): \(report.errors) \(report.warnings)")
            _ = try await client.execute(command, arguments: .object(arguments))
        }
        await client.close()
    }

    @Test func completesWithLiveValues() async throws {
        let qemu = try Self.launchGuestMachine()
        let client = try await qemu.connect()
        let completer = SchemaCompleter(schema: try await QAPISchema.load(from: client))
        let live = LiveValues(client: client)
        func candidates(_ line: String) async -> [String] {
            await live.complete(lineBeforeCursor: line, with: completer).candidates
        }
        #expect(await candidates("device_del id=") == ["id=cdrom0", "id=nic0", "id=vd0"])
        #expect(await candidates("blockdev-del node-name=n") == ["node-name=null0"])
        #expect(await candidates("blockdev-change-medium id=") == ["id=cdrom0"])
        #expect(await candidates("eject device=") == ["device=cd0"])
        #expect(await candidates("netdev_del id=") == ["id=n0"])
        #expect(await candidates("chardev-remove id=c").contains("id=ch0"))
        #expect(await candidates("object-del id=m") == ["id=mem1"])
        #expect(await candidates("qom-list path=/machine/peripheral/v") == ["path=/machine/peripheral/vd0"])
        let drivers = await candidates("device_add driver=virtio-blk")
        #expect(drivers.contains("driver=virtio-blk-pci"))
        let properties = await candidates("device_add driver=virtio-blk-pci dri")
        #expect(properties == ["drive="])
        #expect(await candidates("device_add driver=virtio-blk-pci drive=n") == ["drive=null0"])
        let buses = await candidates("device_add driver=virtio-blk-pci bus=")
        #expect(buses.contains("bus=pci.0") && buses.contains("bus=ide.1"))
        #expect(await candidates("hmp info bl") == ["block", "block-jobs", "blockstats"])
        #expect(await candidates("!sys").contains("system_reset"))

        // Cached for the prompt: a second completion sends nothing and takes well under a millisecond.
        let clock = ContinuousClock()
        var cached = Duration.seconds(1)
        for _ in 0..<20 {
            cached = min(cached, await clock.measure { _ = await candidates("device_del id=") })
        }
        #expect(cached < .milliseconds(20), "cached completion took \(cached)")
        if getenv("QMPKIT_TIMINGS") != nil { print("live completion, cached: \(cached)") }

        // Devices that come and go show up at the next prompt.
        _ = try await client.execute("blockdev-add", arguments: ["driver": "null-co", "node-name": "null2"])
        _ = try await client.execute("device_add", arguments: ["driver": "virtio-blk-pci", "drive": "null2", "id": "vd2"])
        #expect(await candidates("device_del id=vd") == ["id=vd0"])
        await live.beginPrompt()
        #expect(await candidates("device_del id=vd") == ["id=vd0", "id=vd2"])
        #expect(await candidates("blockdev-del node-name=n") == ["node-name=null0", "node-name=null2"])
        await client.close()
    }

    @Test func schemaLoadTime() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let clock = ContinuousClock()
        var best = Duration.seconds(100)
        var schema: QAPISchema?
        for _ in 0..<5 {
            best = min(best, try await clock.measure { schema = try await QAPISchema.fetch(from: client) })
        }
        #expect(schema?.commands.isEmpty == false)
        #expect(best < .seconds(2))
        if getenv("QMPKIT_TIMINGS") != nil { print("schema fetch + decode + index: \(best)") }
        await client.close()
    }
}

/// The test guest that `scripts/build-test-guest.sh` builds into `~/.cache/qmpkit/guest`.
enum TestGuest {
    static var directory: String {
        (getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest"
    }

    static var isoA: String { directory + "/a.iso" }

    /// The kernel and initrd listed in `guest.env`; throws, saying how to build them, when they are missing.
    static func files() throws -> (kernel: String, initrd: String) {
        let path = directory + "/guest.env"
        guard let text = try? ChildProcess.readFile(path) else {
            throw TestSupportError("no test guest at \(path): run scripts/build-test-guest.sh (scripts/setup.sh does)")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let kernel = values["KERNEL"], let initrd = values["INITRD"] else {
            throw TestSupportError("\(path) does not list KERNEL and INITRD: rebuild with scripts/build-test-guest.sh")
        }
        return (kernel, initrd)
    }
}
