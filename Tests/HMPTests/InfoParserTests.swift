import HMP
import QMP
import Testing

// Parsers for `info` output, checked against the real QEMU 7.2 texts in `InfoFixtures`.
// Tolerance (line ends, unknown and missing lines, truncation, garbage) is in `InfoParserTests+Tolerance.swift`,
// the JSON entry point in `InfoParserTests+TypedInfo.swift`.

@Suite struct InfoParserTests {
    static let guestDirectory = "/root/.cache/qmpkit/guest"

    // MARK: - info status

    @Test func statusPrelaunch() throws {
        let status = try HMPStatusInfo(parsing: InfoFixtures.statusPrelaunch)
        #expect(status == HMPStatusInfo(running: false, status: "paused", reason: "prelaunch"))
        #expect(status.runState == "prelaunch")
    }

    @Test func statusRunningPausedAndShutdown() throws {
        let running = try HMPStatusInfo(parsing: InfoFixtures.statusRunning)
        #expect(running.running)
        #expect(running.status == "running")
        #expect(running.reason == nil)
        #expect(running.singleStep == false)
        #expect(running.runState == "running")

        // `stop` leaves the plain "paused" state, which QEMU does not spell out.
        let paused = try HMPStatusInfo(parsing: InfoFixtures.statusPaused)
        #expect(paused == HMPStatusInfo(running: false, status: "paused"))
        #expect(paused.runState == "paused")

        let shutdown = try HMPStatusInfo(parsing: InfoFixtures.statusShutdown)
        #expect(shutdown == HMPStatusInfo(running: false, status: "paused", reason: "shutdown"))
    }

    /// The single-step forms follow QEMU's format string (`"VM status: %s%s"` then `" (%s)"`); not captured, as
    /// QEMU 7.2 only enables single-step mode from the gdbstub.
    @Test func statusSingleStep() throws {
        let running = try HMPStatusInfo(parsing: "VM status: running (single step mode)\r\n")
        #expect(running == HMPStatusInfo(running: true, status: "running", singleStep: true))
        let paused = try HMPStatusInfo(parsing: "VM status: paused (single step mode) (debug)\n")
        #expect(paused == HMPStatusInfo(running: false, status: "paused", reason: "debug", singleStep: true))
    }

    // MARK: - info version

    @Test func version() throws {
        let version = try HMPVersionInfo(parsing: InfoFixtures.version)
        #expect(version == HMPVersionInfo(major: 7, minor: 2, micro: 22, package: "Debian 1:7.2+dfsg-7+deb12u18+b3"))
        #expect(version.version == "7.2.22")
    }

    @Test func versionWithoutPackage() throws {
        // A build configured without --with-pkgversion prints the triple alone.
        let version = try HMPVersionInfo(parsing: "7.2.22\r\n")
        #expect(version == HMPVersionInfo(major: 7, minor: 2, micro: 22, package: nil))
    }

    // MARK: - info block

    /// The six drives of `InfoFixtures.blockMixed`, field by field.
    @Test func blockMixedDrives() throws {
        let devices = try HMPBlockDevice.parse(InfoFixtures.blockMixed)
        #expect(devices.map(\.name) == ["virtio0", "ide1-cd0", "ide1-cd1", "ejcd", "virtio1", "bd0"])
        let writeback = HMPBlockCacheMode(writeback: true)

        // -drive file=disk.qcow2,if=virtio,format=qcow2,cache=writethrough over base.qcow2
        #expect(devices[0] == HMPBlockDevice(
            name: "virtio0", device: "virtio0", nodeName: "#block180",
            attachedTo: "/machine/peripheral-anon/device[0]/virtio-backend", file: "/tmp/hmpcap/disk.qcow2",
            format: "qcow2", readOnly: false, encrypted: false, cache: HMPBlockCacheMode(writeback: false),
            backingFile: "/tmp/hmpcap/base.qcow2", backingChainDepth: 1))

        // IDE CD with a medium
        #expect(devices[1] == HMPBlockDevice(
            name: "ide1-cd0", device: "ide1-cd0", nodeName: "#block597", attachedTo: "/machine/unattached/device[18]",
            file: "\(Self.guestDirectory)/a.iso", format: "raw", readOnly: true, encrypted: false, removable: true,
            locked: false, trayOpen: false, cache: writeback))

        // Empty IDE CD
        #expect(devices[2] == HMPBlockDevice(
            name: "ide1-cd1", device: "ide1-cd1", attachedTo: "/machine/unattached/device[19]", inserted: false,
            removable: true, locked: false, trayOpen: false))

        // -drive if=none,id=ejcd + -device ide-cd,id=cdrom0: attached to the device's id, not a QOM path
        #expect(devices[3].device == "ejcd")
        #expect(devices[3].nodeName == "#block723")
        #expect(devices[3].attachedTo == "cdrom0")
        #expect(devices[3].file == "\(Self.guestDirectory)/b.iso")
        #expect(devices[3].trayOpen == false)

        // readonly=on
        #expect(devices[4].readOnly == true)
        #expect(devices[4].format == "raw")
        #expect(devices[4].file == "/tmp/hmpcap/ro.img")
        #expect(devices[4].removable == false)
        #expect(devices[4].locked == nil)

        // -blockdev + -device virtio-blk-pci,id=vd1: no drive name, QEMU shows the node name
        #expect(devices[5] == HMPBlockDevice(
            name: "bd0", device: nil, nodeName: "bd0", attachedTo: "/machine/peripheral/vd1/virtio-backend",
            file: "/tmp/hmpcap/bd.qcow2", format: "qcow2", readOnly: false, encrypted: false, cache: writeback))
    }

    @Test func blockTrayOpenedByEject() throws {
        let before = try HMPBlockDevice.parse(InfoFixtures.blockMixed)
        let after = try HMPBlockDevice.parse(InfoFixtures.blockAfterEject)
        let ejected = try #require(after.first { $0.name == "ejcd" })
        #expect(ejected == HMPBlockDevice(
            name: "ejcd", device: "ejcd", attachedTo: "cdrom0", inserted: false, removable: true, locked: false,
            trayOpen: true))
        // Nothing else changed.
        #expect(after.filter { $0.name != "ejcd" } == before.filter { $0.name != "ejcd" })
    }

    @Test func blockVerboseSkipsImageSections() throws {
        // Same QEMU, same moment as blockAfterEject: the `Images:` sections must add nothing and hide nothing,
        // although lines such as "virtual size: 64 MiB (67108864 bytes)" look like entry headers.
        #expect(InfoFixtures.blockVerbose.contains("Images:"))
        let verbose = try HMPBlockDevice.parse(InfoFixtures.blockVerbose)
        #expect(verbose == (try HMPBlockDevice.parse(InfoFixtures.blockAfterEject)))
    }

    @Test func blockNamedNodes() throws {
        let nodes = try HMPBlockDevice.parse(InfoFixtures.blockNodes)
        #expect(nodes.map(\.name) == [
            "#block995", "#block878", "#block597", "#block490", "#block332", "#block265", "#block180", "#block001",
            "bd0", "bdfile",
        ])
        for node in nodes {
            #expect(node.nodeName == node.name)
            #expect(node.device == nil)
            #expect(node.attachedTo == nil)
            #expect(node.inserted)
        }
        #expect(nodes.filter { $0.format == "file" }.map(\.name)
            == ["#block878", "#block490", "#block265", "#block001", "bdfile"])
        // The backing image is opened read-only; the top image is not.
        #expect(nodes[4].file == "/tmp/hmpcap/base.qcow2")
        #expect(nodes[4].readOnly == true)
        #expect(nodes[6].readOnly == false)
        #expect(nodes[6].backingFile == "/tmp/hmpcap/base.qcow2")
        #expect(nodes[6].backingChainDepth == 1)
    }

    @Test func blockLockedCacheModesDetectZeroesAndThrottling() throws {
        let devices = try HMPBlockDevice.parse(InfoFixtures.blockBooted)
        #expect(devices.map(\.name) == ["ide1-cd0", "virtio0", "spare"])

        // The guest has mounted the CD: the tray is locked.
        #expect(devices[0].locked == true)
        #expect(devices[0].trayOpen == false)

        // cache=none, detect-zeroes=on
        #expect(devices[1].cache == HMPBlockCacheMode(writeback: true, direct: true, noFlush: false))
        #expect(devices[1].detectZeroes == "on")
        #expect(devices[1].throttling == nil)

        // if=none, cache=unsafe, throttling: attached to nothing, yet shown as removable.
        let spare = devices[2]
        #expect(spare.attachedTo == nil)
        #expect(spare.device == "spare")
        #expect(spare.nodeName == "#block571")
        #expect(spare.removable)
        #expect(spare.cache == HMPBlockCacheMode(writeback: true, direct: false, noFlush: true))
        let throttling = try #require(spare.throttling)
        #expect(throttling["bps"] == "1048576")
        #expect(throttling["iops"] == "100")
        #expect(throttling["bps_rd"] == "0")
        #expect(throttling["group"] == "spare")
        #expect(throttling.pairs.count == 14)
        #expect(throttling.pairs.first?.key == "bps")
        #expect(throttling.pairs.last?.key == "group")
    }

    @Test func blockEncryptedScsiDrivelessAndBlockdevBacking() throws {
        let devices = try HMPBlockDevice.parse(InfoFixtures.blockMore)
        #expect(devices.map(\.name) == ["virtio0", "scd", "unatt", "cdx", "dtop"])

        // LUKS: the file name is a json: description (with ": " in it), the flags say encrypted.
        let luks = #"json:{"driver": "luks", "file": {"driver": "file", "filename": "/tmp/hmpcap/enc.luks"}, "#
            + #""key-secret": "sec0"}"#
        #expect(devices[0].file == luks)
        #expect(devices[0].format == "luks")
        #expect(devices[0].encrypted == true)
        #expect(devices[0].readOnly == false)

        #expect(devices[1].attachedTo == "scsicd")
        #expect(devices[1].removable)

        // werror/rerror=stop prints no I/O status while it is "ok".
        #expect(devices[2].ioStatus == nil)
        #expect(devices[2].attachedTo == nil)

        // -device ide-cd,id=cdx with no drive: the header shows the device id, which is no drive name.
        #expect(devices[3] == HMPBlockDevice(
            name: "cdx", device: nil, nodeName: nil, attachedTo: "cdx", inserted: false, removable: true,
            locked: false, trayOpen: false))

        #expect(devices[4].nodeName == "dtop")
        #expect(devices[4].device == nil)
        #expect(devices[4].attachedTo == "/machine/peripheral/vd2/virtio-backend")
        #expect(devices[4].backingFile == "/tmp/hmpcap/base.qcow2")
    }

    @Test func blockOneDevice() throws {
        // `info block scd` starts with an empty line.
        #expect(InfoFixtures.blockOneDevice.hasPrefix("\r\n"))
        let one = try HMPBlockDevice.parse(InfoFixtures.blockOneDevice)
        let all = try HMPBlockDevice.parse(InfoFixtures.blockMore)
        #expect(one == all.filter { $0.name == "scd" })

        let ejected = try HMPBlockDevice.parse(InfoFixtures.blockOneDeviceEjected)
        #expect(ejected.count == 1)
        #expect(ejected.first?.inserted == false)
        #expect(ejected.first?.trayOpen == true)
        #expect(ejected.first?.attachedTo == "scsicd")
        #expect(ejected.first?.cache == nil)
    }

    @Test func blockNone() throws {
        #expect(try HMPBlockDevice.parse(InfoFixtures.blockNone) == [])
    }

    // MARK: - info pci

    @Test func pciBootedDevices() throws {
        let devices = try HMPPCIDevice.parse(InfoFixtures.pciBooted)
        #expect(devices.count == 12)
        #expect(devices.map { "\($0.bus):\($0.slot).\($0.function)" } == [
            "0:0.0", "0:1.0", "0:1.1", "0:1.3", "0:2.0", "0:3.0", "0:4.0", "0:5.0", "0:6.0", "0:7.0", "1:3.0", "0:8.0",
        ])
        #expect(devices.map(\.qdevID)
            == [nil, nil, nil, nil, nil, nil, "balloon0", "nic0", "nonet", "br1", "rng1", nil])

        // virtio-net-pci, id=nic0: everything but a bridge
        #expect(devices[7] == HMPPCIDevice(
            bus: 0, slot: 5, function: 0, classDescription: "Ethernet controller", vendorID: 0x1af4, deviceID: 0x1000,
            subsystemVendorID: 0x1af4, subsystemID: 0x0001, irq: 10, irqPin: "A",
            bars: [
                HMPPCIBar(index: 0, kind: .io, address: 0xd200, lastAddress: 0xd21f),
                HMPPCIBar(index: 1, kind: .memory, bits: 32, address: 0xfeaf2000, lastAddress: 0xfeaf2fff),
                HMPPCIBar(index: 4, kind: .memory, bits: 64, prefetchable: true, address: 0xfe204000,
                          lastAddress: 0xfe207fff),
                // the option ROM, not mapped by the guest: 7.2 prints address all ones
                HMPPCIBar(index: 6, kind: .memory, bits: 32),
            ],
            qdevID: "nic0"))
        #expect(devices[7].bars[0].size == 32)
        #expect(devices[7].bars[3].size == nil)

        #expect(devices[0].classDescription == "Host bridge")
        #expect(devices[0].vendorID == 0x8086)
        #expect(devices[0].deviceID == 0x1237)
        #expect(devices[0].irq == nil)
        #expect(devices[0].bars == [])

        // VGA: 16 MiB prefetchable framebuffer
        #expect(devices[5].classDescription == "VGA controller")
        #expect(devices[5].bars.first == HMPPCIBar(
            index: 0, kind: .memory, bits: 32, prefetchable: true, address: 0xfd000000, lastAddress: 0xfdffffff))
        #expect(devices[5].bars.first?.size == 16 << 20)
    }

    @Test func pciUnnamedClassIsDecimal() throws {
        let devices = try HMPPCIDevice.parse(InfoFixtures.pciBooted)
        // virtio-balloon and virtio-rng have class 0x00ff, which QEMU prints as "Class 0255".
        let balloon = try #require(devices.first { $0.qdevID == "balloon0" })
        #expect(balloon.classDescription == "Class 0255")
        #expect(balloon.classCode == 0x00ff)
        #expect(balloon.vendorID == 0x1af4)
        #expect(balloon.deviceID == 0x1002)
        #expect(balloon.subsystemID == 0x0005)
        #expect(devices.filter { $0.classCode != nil }.map(\.qdevID) == ["balloon0", "rng1"])
    }

    @Test func pciBridgeAndDeviceBehindIt() throws {
        let devices = try HMPPCIDevice.parse(InfoFixtures.pciBooted)
        let bridge = try #require(devices.first { $0.qdevID == "br1" })
        #expect(bridge.classDescription == "PCI bridge")
        #expect(bridge.vendorID == 0x1b36)
        #expect(bridge.deviceID == 0x0001)
        // The bridge prints no subsystem line.
        #expect(bridge.subsystemVendorID == nil)
        #expect(bridge.subsystemID == nil)
        #expect(bridge.bridge == HMPPCIBridge(
            bus: 0, secondaryBus: 1, subordinateBus: 1, ioRange: HMPPCIRange(base: 0xc000, limit: 0xcfff),
            memoryRange: HMPPCIRange(base: 0xfe800000, limit: 0xfe9fffff),
            prefetchableMemoryRange: HMPPCIRange(base: 0xfe000000, limit: 0xfe1fffff)))
        #expect(bridge.bars
            == [HMPPCIBar(index: 0, kind: .memory, bits: 64, address: 0xfeaf3000, lastAddress: 0xfeaf30ff)])

        let rng = try #require(devices.first { $0.qdevID == "rng1" })
        #expect(rng.bus == 1)
        #expect(rng.slot == 3)
        #expect(rng.bridge == nil)
        #expect(devices.filter { $0.bridge != nil }.count == 1)
    }

    @Test func pciBeforeTheFirmwareRan() throws {
        let devices = try HMPPCIDevice.parse(InfoFixtures.pciPrelaunch)
        #expect(devices.map(\.classDescription) == ["Host bridge", "ISA bridge", "IDE controller", "Bridge"])
        // IDE's BAR4 is printed as "I/O at 0xffffffffffffffff [0x000e]": unmapped.
        #expect(devices[2].bars == [HMPPCIBar(index: 4, kind: .io)])
        #expect(devices[3].irq == 0)
        #expect(devices[3].irqPin == "A")
    }

    @Test func pciNotMappedFormOfLaterQEMUs() throws {
        // QEMU 8+ prints "(not mapped)" instead of the all-ones address.
        let text = """
              Bus  0, device   2, function 0:
                Ethernet controller: PCI device 8086:100e
                  BAR0: 32 bit memory (not mapped)
                  BAR1: I/O (not mapped)
                  id "net0"

            """
        let devices = try HMPPCIDevice.parse(text)
        #expect(devices.first?.bars == [
            HMPPCIBar(index: 0, kind: .memory, bits: 32), HMPPCIBar(index: 1, kind: .io),
        ])
        #expect(devices.first?.qdevID == "net0")
    }

    // MARK: - info network

    @Test func networkHubNICsAndNetdevs() throws {
        let network = try HMPNetworkInfo(parsing: InfoFixtures.networkBooted)

        // -net nic,model=rtl8139 -net user: both on hub 0
        #expect(network.hubs.count == 1)
        let hub = try #require(network.hubs.first)
        #expect(hub.id == 0)
        #expect(hub.ports.map(\.name) == ["hub0port1", "hub0port0"])
        let user = try #require(hub.ports[0].peer)
        #expect(user.name == "#net177")
        #expect(user.type == "user")
        #expect(user.queueIndex == 0)
        #expect(user.details == "net=10.0.2.0,restrict=off")
        #expect(user.parameters == ["net": "10.0.2.0", "restrict": "off"])
        #expect(user.model == nil)
        let rtl = try #require(hub.ports[1].peer)
        #expect(rtl == HMPNetworkClient(
            name: "rtl8139.0", queueIndex: 0, type: "nic", details: "model=rtl8139,macaddr=52:54:00:12:34:56"))
        #expect(rtl.model == "rtl8139")
        #expect(rtl.macAddress == "52:54:00:12:34:56")

        #expect(network.clients.map(\.client.name) == ["lonely", "nic0", "nonet"])
        // a netdev with no NIC
        #expect(network.clients[0].client.type == "user")
        #expect(network.clients[0].peer == nil)
        // -netdev user,id=n0 -device virtio-net-pci,netdev=n0,id=nic0,mac=52:54:00:12:34:56
        #expect(network.clients[1].client.model == "virtio-net-pci")
        #expect(network.clients[1].client.macAddress == "52:54:00:12:34:56")
        #expect(network.clients[1].peer?.name == "n0")
        #expect(network.clients[1].peer?.type == "user")
        // a NIC with no netdev gets the next default MAC
        #expect(network.clients[2].client.model == "e1000")
        #expect(network.clients[2].client.macAddress == "52:54:00:12:34:57")
        #expect(network.clients[2].peer == nil)

        #expect(network.nics.map(\.name) == ["rtl8139.0", "nic0", "nonet"])
        #expect(network.peerName(ofNIC: "nic0") == "n0")
        #expect(network.peerName(ofNIC: "rtl8139.0") == "hub0port0")
        #expect(network.peerName(ofNIC: "nonet") == nil)
        #expect(network.peerName(ofNIC: "nosuch") == nil)
    }

    @Test func networkFiltersSocketsAndPortsWithoutPeer() throws {
        let network = try HMPNetworkInfo(parsing: InfoFixtures.networkFilters)

        #expect(network.hubs.map(\.id) == [1])
        #expect(network.hubs[0].ports == [
            HMPNetworkHubPort(name: "hp2"),
            HMPNetworkHubPort(name: "hp1", peer: HMPNetworkClient(
                name: "nic2", queueIndex: 0, type: "nic", details: "model=rtl8139,macaddr=52:54:00:12:34:57")),
        ])

        #expect(network.clients.map(\.client.name) == ["virtio-net-pci.0", "nic0", "nic1"])
        // -nic user,model=virtio-net-pci: an unnamed NIC and an unnamed netdev
        #expect(network.clients[0].client.macAddress == "52:54:00:00:00:99")
        #expect(network.clients[0].peer?.name == "#net073")

        // The filters are printed under the netdev n0, not the NIC.
        let n0 = try #require(network.clients[1].peer)
        #expect(n0.name == "n0")
        #expect(network.clients[1].client.filters == [])
        #expect(n0.filters.map(\.id) == ["f0", "f1"])
        #expect(n0.filters[0].type == "filter-buffer")
        #expect(n0.filters[0].parameters["interval"] == "100000")
        #expect(n0.filters[0].parameters["netdev"] == "n0")
        #expect(n0.filters[1].type == "filter-dump")
        #expect(n0.filters[1].parameters["file"] == "/tmp/hmpcap/dump.pcap")
        #expect(n0.filters[1].parameters["queue"] == "rx")

        // A listening socket netdev has empty details ("type=socket,").
        let s0 = try #require(network.clients[2].peer)
        #expect(s0 == HMPNetworkClient(name: "s0", queueIndex: 0, type: "socket", details: ""))
        #expect(network.clients[2].client.macAddress == "52:54:00:aa:bb:cc")

        #expect(network.nics.map(\.name) == ["nic2", "virtio-net-pci.0", "nic0", "nic1"])
        #expect(network.peerName(ofNIC: "nic2") == "hp1")
        #expect(network.peerName(ofNIC: "nic1") == "s0")
    }

    @Test func networkNone() throws {
        #expect(try HMPNetworkInfo(parsing: InfoFixtures.networkNone) == HMPNetworkInfo())
    }

    // MARK: - info cpus

    @Test func cpus() throws {
        let cpus = try HMPCPUInfo.parse(InfoFixtures.cpusTwo)
        #expect(cpus == [
            HMPCPUInfo(index: 0, current: true, threadID: 2485, properties: ["thread_id": "2485"]),
            HMPCPUInfo(index: 1, current: false, threadID: 2486, properties: ["thread_id": "2486"]),
        ])
        #expect(cpus.allSatisfy { $0.state == nil })
    }

    @Test func cpusMarkFollowsCPUIndex() throws {
        let cpus = try HMPCPUInfo.parse(InfoFixtures.cpusTwoCPU1)
        #expect(cpus.map(\.current) == [false, true])
        #expect(cpus.map(\.threadID) == [2485, 2486])

        let one = try HMPCPUInfo.parse(InfoFixtures.cpusOne)
        #expect(one.count == 1)
        #expect(one[0].index == 0)
        #expect(one[0].current)
        #expect(one[0].threadID == 2946)
    }

    @Test func cpusS390State() throws {
        // s390x adds "state=" before thread_id (QEMU's format string; no s390x QEMU on this machine).
        let cpus = try HMPCPUInfo.parse("* CPU #0: state=operating thread_id=1234\r\n")
        #expect(cpus.first?.state == "operating")
        #expect(cpus.first?.threadID == 1234)
    }

    // MARK: - info balloon

    @Test func balloon() throws {
        #expect(try HMPBalloonInfo(parsing: InfoFixtures.balloon256) == HMPBalloonInfo(actualMiB: 256))
        let shrunk = try HMPBalloonInfo(parsing: InfoFixtures.balloon128)
        #expect(shrunk.actualMiB == 128)
        #expect(shrunk.actualBytes == 134_217_728)
    }

    @Test func balloonMissingDevice() {
        let error = #expect(throws: HMPParseError.self) { try HMPBalloonInfo(parsing: InfoFixtures.balloonMissing) }
        #expect(error?.code == .monitorError)
        #expect(error?.message == "No balloon device has been activated")
        #expect(error?.command == "info balloon")
        #expect(error?.description == "info balloon: No balloon device has been activated")
    }
}
