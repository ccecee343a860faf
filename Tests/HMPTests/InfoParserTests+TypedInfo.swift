import HMP
import QMP
import Testing

// `HMPTypedInfo`: which command lines it takes, and the JSON it gives for the real outputs.

extension InfoParserTests {
    @Test func supportedCommands() {
        #expect(HMPTypedInfo.supportedCommands == [
            "info balloon", "info block", "info cpus", "info network", "info pci", "info status", "info version",
        ])
    }

    @Test(arguments: InfoSample.all)
    func everySampleGivesJSON(sample: InfoSample) throws {
        let json = try #require(try HMPTypedInfo.json(forCommand: sample.command, output: sample.text))
        #expect(json.typeName == "array" || json.typeName == "object")
        #expect(HMPTypedInfo.supportedCommands.contains { sample.command.hasPrefix($0) })
    }

    @Test func statusJSON() throws {
        let json = try HMPTypedInfo.json(forCommand: "info status", output: InfoFixtures.statusPrelaunch)
        #expect(json == ["running": false, "status": "paused", "reason": "prelaunch", "singleStep": false])
        // Absent optionals are left out.
        let running = try HMPTypedInfo.json(forCommand: "info status", output: InfoFixtures.statusRunning)
        #expect(running == ["running": true, "status": "running", "singleStep": false])
    }

    @Test func versionJSON() throws {
        let json = try HMPTypedInfo.json(forCommand: "info version", output: InfoFixtures.version)
        #expect(json == ["major": 7, "minor": 2, "micro": 22, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"])
    }

    @Test func balloonJSON() throws {
        let json = try HMPTypedInfo.json(forCommand: "info balloon", output: InfoFixtures.balloon128)
        #expect(json == ["actualMiB": 128])
        let error = #expect(throws: HMPParseError.self) {
            try HMPTypedInfo.json(forCommand: "info balloon", output: InfoFixtures.balloonMissing)
        }
        #expect(error?.code == .monitorError)
    }

    @Test func cpusJSON() throws {
        let json = try HMPTypedInfo.json(forCommand: "info cpus", output: InfoFixtures.cpusTwo)
        #expect(json == [
            ["index": 0, "current": true, "threadID": 2485, "properties": ["thread_id": "2485"]],
            ["index": 1, "current": false, "threadID": 2486, "properties": ["thread_id": "2486"]],
        ])
    }

    @Test func blockJSON() throws {
        let json = try #require(try HMPTypedInfo.json(forCommand: "info block", output: InfoFixtures.blockMixed))
        #expect(json.arrayValue?.count == 6)
        #expect(json[0] == [
            "name": "virtio0", "device": "virtio0", "nodeName": "#block180",
            "attachedTo": "/machine/peripheral-anon/device[0]/virtio-backend", "inserted": true,
            "file": "/tmp/hmpcap/disk.qcow2", "format": "qcow2", "readOnly": false, "encrypted": false,
            "removable": false, "cache": ["writeback": false, "direct": false, "no-flush": false],
            "backingFile": "/tmp/hmpcap/base.qcow2", "backingChainDepth": 1,
        ])
        #expect(json.value(atDottedPath: "2.inserted") == false)
        #expect(json.value(atDottedPath: "2.trayOpen") == false)
        #expect(json.value(atDottedPath: "5.nodeName") == "bd0")
        #expect(json.value(atDottedPath: "5.device") == nil)

        let booted = try #require(try HMPTypedInfo.json(forCommand: "info block", output: InfoFixtures.blockBooted))
        // Throttling limits keep QEMU's order.
        let throttling = try #require(booted.value(atDottedPath: "2.throttling")?.objectValue)
        #expect(throttling.keys.first == "bps")
        #expect(throttling.keys.last == "group")
        #expect(throttling["iops"] == "100")
    }

    @Test func pciJSON() throws {
        let json = try #require(try HMPTypedInfo.json(forCommand: "info pci", output: InfoFixtures.pciBooted))
        #expect(json.arrayValue?.count == 12)
        #expect(json.value(atDottedPath: "6.qdevID") == "balloon0")
        #expect(json.value(atDottedPath: "6.classCode") == 255)
        #expect(json.value(atDottedPath: "6.vendorID") == 0x1af4)
        #expect(json.value(atDottedPath: "7.bars.0") == ["index": 0, "kind": "io", "prefetchable": false,
                                                         "address": 0xd200, "lastAddress": 0xd21f])
        #expect(json.value(atDottedPath: "9.bridge.secondaryBus") == 1)
        #expect(json.value(atDottedPath: "9.bridge.memoryRange") == ["base": 0xfe800000, "limit": 0xfe9fffff])
    }

    @Test func networkJSON() throws {
        let json = try #require(try HMPTypedInfo.json(forCommand: "info network", output: InfoFixtures.networkBooted))
        #expect(json.value(atDottedPath: "hubs.0.id") == 0)
        #expect(json.value(atDottedPath: "hubs.0.ports.1.peer.model") == "rtl8139")
        #expect(json.value(atDottedPath: "clients.1.client.macAddress") == "52:54:00:12:34:56")
        #expect(json.value(atDottedPath: "clients.1.peer.name") == "n0")
        #expect(json.value(atDottedPath: "clients.1.peer.parameters") == ["net": "10.0.2.0", "restrict": "off"])
        #expect(try HMPTypedInfo.json(forCommand: "info network", output: "") == ["hubs": [], "clients": []])
    }

    @Test(arguments: [
        "info block", "  info   block  ", "info\tblock", "info block\r\n", "info block -v", "info block -n",
        "info block -n -v", "info block ide1-cd0", "info block -n dtop",
    ])
    func blockCommandLinesAccepted(commandLine: String) throws {
        #expect(try HMPTypedInfo.json(forCommand: commandLine, output: InfoFixtures.blockOneDevice) != nil)
    }

    @Test(arguments: [
        "", "info", "info stat", "info versio", "info registers", "info blockstats", "info status extra",
        "info block a b", "info block -x", "i status", "INFO status", "info Status", "query-status", "status",
        "help info status", "infostatus",
    ])
    func otherCommandLinesGiveNil(commandLine: String) throws {
        #expect(try HMPTypedInfo.json(forCommand: commandLine, output: InfoFixtures.statusPrelaunch) == nil)
    }

    @Test func everySupportedCommandWithExtraSpaces() throws {
        let outputs = [
            "info balloon": InfoFixtures.balloon256, "info block": InfoFixtures.blockMixed,
            "info cpus": InfoFixtures.cpusOne, "info network": InfoFixtures.networkFilters,
            "info pci": InfoFixtures.pciPrelaunch, "info status": InfoFixtures.statusShutdown,
            "info version": InfoFixtures.version,
        ]
        for command in HMPTypedInfo.supportedCommands {
            let output = try #require(outputs[command])
            let plain = try HMPTypedInfo.json(forCommand: command, output: output)
            #expect(plain != nil, "\(command)")
            let spaced = "  " + command.replacing(" ", with: "   ") + " "
            #expect(try HMPTypedInfo.json(forCommand: spaced, output: output) == plain, "\(spaced)")
        }
    }
}
