import Testing
import HMP
import QMP

/// Bytes a QEMU 7.2.22 HMP socket sent (captured): the banner, then for each command the echo of every keystroke
/// with its redraw escapes, the reply and the prompt.
private let capturedBanner = "QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) "
private let capturedInfoStatus = "i\u{1b}[K\u{1b}[Din\u{1b}[K\u{1b}[D\u{1b}[Dinf\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[Dinfo\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo \u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo s\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo st\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo sta\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo stat\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo statu\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo status\u{1b}[K\r\nVM status: paused (prelaunch)\r\n(qemu) "
private let capturedInfoBlock = "i\u{1b}[K\u{1b}[Din\u{1b}[K\u{1b}[D\u{1b}[Dinf\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[Dinfo\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo \u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo b\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo bl\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo blo\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo bloc\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Dinfo block\u{1b}[K\r\nide1-cd0 (#block148): /tmp/hx/a.iso (raw, read-only)\r\n    Attached to:      /machine/unattached/device[23]\r\n    Removable device: not locked, tray closed\r\n    Cache mode:       writeback\r\n\r\nfloppy0: [not inserted]\r\n    Attached to:      /machine/unattached/device[16]\r\n    Removable device: not locked, tray closed\r\n\r\nsd0: [not inserted]\r\n    Removable device: not locked, tray closed\r\n(qemu) "
private let capturedEject = "e\u{1b}[K\u{1b}[Dej\u{1b}[K\u{1b}[D\u{1b}[Deje\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[Dejec\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Deject\u{1b}[K\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[Deject \u{1b}[K\u{1b}[Deject x\u{1b}[K\r\n(qemu) "
private let capturedUnknown = "nosuch\u{1b}[K\r\nunknown command: 'nosuch'\r\n(qemu) "

@Suite struct HMPStreamFramerTests {
    static let stream = Array((capturedBanner + capturedInfoStatus + capturedInfoBlock + capturedEject + capturedUnknown).utf8)
    static let expected: [HMPStreamFramer.Item] = [
        .banner("QEMU 7.2.22 monitor - type 'help' for more information\r\n"),
        .reply("VM status: paused (prelaunch)\r\n"),
        .reply("ide1-cd0 (#block148): /tmp/hx/a.iso (raw, read-only)\r\n    Attached to:      /machine/unattached/device[23]\r\n    Removable device: not locked, tray closed\r\n    Cache mode:       writeback\r\n\r\nfloppy0: [not inserted]\r\n    Attached to:      /machine/unattached/device[16]\r\n    Removable device: not locked, tray closed\r\n\r\nsd0: [not inserted]\r\n    Removable device: not locked, tray closed\r\n"),
        .reply(""),
        .reply("unknown command: 'nosuch'\r\n"),
    ]

    @Test(arguments: [1, 2, 3, 5, 7, 11, 64, 4096])
    func stripsEchoAndEscapesAtAnyChunkSize(chunkSize: Int) {
        var framer = HMPStreamFramer()
        var items: [HMPStreamFramer.Item] = []
        var offset = 0
        while offset < Self.stream.count {
            let end = min(Self.stream.count, offset + chunkSize)
            framer.append(Self.stream[offset..<end])
            while let item = framer.next() { items.append(item) }
            offset = end
        }
        #expect(items == Self.expected)
        #expect(framer.sawBanner)
    }

    @Test func waitsForThePrompt() {
        var framer = HMPStreamFramer()
        framer.append(Array(capturedBanner.utf8))
        #expect(framer.next() != nil)
        framer.append(Array("info status\u{1b}[K\r\nVM status: running\r\n(qemu".utf8))
        #expect(framer.next() == nil)
        framer.append(Array(") ".utf8))
        #expect(framer.next() == .reply("VM status: running\r\n"))
    }

    @Test func promptTextInsideALineIsNotAPrompt() {
        var framer = HMPStreamFramer()
        framer.append(Array(capturedBanner.utf8))
        _ = framer.next()
        framer.append(Array("echo\r\nsay (qemu) here\r\n(qemu) ".utf8))
        #expect(framer.next() == .reply("say (qemu) here\r\n"))
    }
}

@Suite struct HMPFailureDetectorTests {
    @Test(arguments: [
        ("unknown command: 'nosuch'\r\n", "unknown command: 'nosuch'"),
        ("unknown command: 'info foo'\r\n", "unknown command: 'info foo'"),
        ("Error: Device 'x' not found\r\n", "Device 'x' not found"),
        ("Error: Could not open '/nonexist.iso': No such file or directory\r\n", "Could not open '/nonexist.iso': No such file or directory"),
        ("Error: Parameter 'driver' is missing\r\n", "Parameter 'driver' is missing"),
        ("change: filename expected\r\nTry \"help change\" for more information\r\n", "change: filename expected"),
        ("Device 'ide9' not found\n", "Device 'ide9' not found"),
        ("Could not open 'x': Permission denied\n", "Could not open 'x': Permission denied"),
    ])
    func recognisesFailures(output: String, message: String) {
        #expect(HMPFailureDetector.failure(in: output) == message)
        #expect(throws: HMPError(command: "c", message: message, output: output)) {
            try HMPFailureDetector.check(output, command: "c")
        }
    }

    @Test(arguments: [
        "", "VM status: running\r\n", "ide1-cd0: [not inserted]\r\n    Removable device: not locked, tray open\r\n",
        "  Bus  0, device   3, function 0:\r\n    Ethernet controller: PCI device 1af4:1000\r\n",
        "QEMU 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\r\n",
    ])
    func acceptsSuccessfulOutput(output: String) throws {
        #expect(HMPFailureDetector.failure(in: output) == nil)
        #expect(try HMPFailureDetector.check(output, command: "c") == output)
    }

    @Test func errorDescriptionIsOneLine() {
        #expect(HMPError(command: "device_del x", message: "Device 'x' not found", output: "").description
            == "HMPError: Device 'x' not found")
    }
}

@Suite struct MonitorTargetTests {
    @Test(arguments: [
        ("/tmp/q.sock", MonitorTarget.qmp(.unix(path: "/tmp/q.sock"))),
        ("unix:/tmp/q.sock", .qmp(.unix(path: "/tmp/q.sock"))),
        ("tcp:localhost:4444", .qmp(.tcp(host: "localhost", port: 4444))),
        ("hmp:/tmp/h.sock", .hmp(.unix(path: "/tmp/h.sock"))),
        ("hmp:unix:/tmp/h.sock", .hmp(.unix(path: "/tmp/h.sock"))),
        ("hmp:tcp:127.0.0.1:5555", .hmp(.tcp(host: "127.0.0.1", port: 5555))),
    ])
    func parses(text: String, expected: MonitorTarget) throws {
        #expect(try MonitorTarget(parsing: text) == expected)
    }

    @Test(arguments: ["hmp:", "hmp:tcp:x", "bogus:/x"])
    func rejects(text: String) {
        #expect(throws: MonitorAddressError.self) { try MonitorTarget(parsing: text) }
    }
}
