import HMP
import QMP
import Testing

// Tolerance of the `info` parsers: line ends, unknown and missing lines, truncated text, QEMU's errors, garbage.

/// A real output and the command that printed it.
struct InfoSample: Sendable, CustomTestStringConvertible {
    var name: String
    var command: String
    var text: String

    var testDescription: String { name }

    static let all: [InfoSample] = [
        InfoSample(name: "statusPrelaunch", command: "info status", text: InfoFixtures.statusPrelaunch),
        InfoSample(name: "statusRunning", command: "info status", text: InfoFixtures.statusRunning),
        InfoSample(name: "statusPaused", command: "info status", text: InfoFixtures.statusPaused),
        InfoSample(name: "statusShutdown", command: "info status", text: InfoFixtures.statusShutdown),
        InfoSample(name: "version", command: "info version", text: InfoFixtures.version),
        InfoSample(name: "blockMixed", command: "info block", text: InfoFixtures.blockMixed),
        InfoSample(name: "blockAfterEject", command: "info block", text: InfoFixtures.blockAfterEject),
        InfoSample(name: "blockVerbose", command: "info block -v", text: InfoFixtures.blockVerbose),
        InfoSample(name: "blockNodes", command: "info block -n", text: InfoFixtures.blockNodes),
        InfoSample(name: "blockBooted", command: "info block", text: InfoFixtures.blockBooted),
        InfoSample(name: "blockMore", command: "info block", text: InfoFixtures.blockMore),
        InfoSample(name: "blockOneDevice", command: "info block scd", text: InfoFixtures.blockOneDevice),
        InfoSample(name: "blockOneDeviceEjected", command: "info block scd", text: InfoFixtures.blockOneDeviceEjected),
        InfoSample(name: "pciBooted", command: "info pci", text: InfoFixtures.pciBooted),
        InfoSample(name: "pciPrelaunch", command: "info pci", text: InfoFixtures.pciPrelaunch),
        InfoSample(name: "networkBooted", command: "info network", text: InfoFixtures.networkBooted),
        InfoSample(name: "networkFilters", command: "info network", text: InfoFixtures.networkFilters),
        InfoSample(name: "cpusTwo", command: "info cpus", text: InfoFixtures.cpusTwo),
        InfoSample(name: "cpusTwoCPU1", command: "info cpus", text: InfoFixtures.cpusTwoCPU1),
        InfoSample(name: "cpusOne", command: "info cpus", text: InfoFixtures.cpusOne),
        InfoSample(name: "balloon256", command: "info balloon", text: InfoFixtures.balloon256),
        InfoSample(name: "balloon128", command: "info balloon", text: InfoFixtures.balloon128),
    ]

    /// QEMU's error texts, which every parser must report as ``HMPParseError/Code/monitorError``.
    static let errors: [InfoSample] = [
        InfoSample(name: "balloonMissing", command: "", text: InfoFixtures.balloonMissing),
        InfoSample(name: "unknownCommand", command: "", text: InfoFixtures.unknownCommand),
        InfoSample(name: "extraneousArguments", command: "", text: InfoFixtures.extraneousArguments),
        InfoSample(name: "invalidExpression", command: "", text: InfoFixtures.invalidExpression),
        InfoSample(name: "lockedEject", command: "", text: InfoFixtures.lockedEject),
    ]
}

/// Every parser, as a function from text to its JSON (so results of different types compare alike).
let allInfoParsers: [(command: String, parse: @Sendable (String) throws -> JSON)] = [
    ("info status", { try JSONValueEncoder().encode(HMPStatusInfo(parsing: $0)) }),
    ("info version", { try JSONValueEncoder().encode(HMPVersionInfo(parsing: $0)) }),
    ("info block", { try JSONValueEncoder().encode(HMPBlockDevice.parse($0)) }),
    ("info pci", { try JSONValueEncoder().encode(HMPPCIDevice.parse($0)) }),
    ("info network", { try JSONValueEncoder().encode(HMPNetworkInfo(parsing: $0)) }),
    ("info cpus", { try JSONValueEncoder().encode(HMPCPUInfo.parse($0)) }),
    ("info balloon", { try JSONValueEncoder().encode(HMPBalloonInfo(parsing: $0)) }),
]

extension InfoParserTests {
    /// The parse of `text` as `command` prints it, through the public entry point.
    func parsed(_ sample: InfoSample, _ text: String) throws -> JSON? {
        try HMPTypedInfo.json(forCommand: sample.command, output: text)
    }

    // MARK: - Line ends

    @Test(arguments: InfoSample.all)
    func sameResultWithCRLFAndLF(sample: InfoSample) throws {
        #expect(sample.text.contains("\r\n"))
        let crlf = try #require(try parsed(sample, sample.text))
        #expect(try parsed(sample, InfoFixtures.lf(sample.text)) == crlf)
        // Without the final line end, too.
        #expect(try parsed(sample, String(sample.text.dropLast())) == crlf)
    }

    // MARK: - Unknown lines

    @Test(arguments: InfoSample.all)
    func unknownLinesAreIgnored(sample: InfoSample) throws {
        let expected = try #require(try parsed(sample, sample.text))
        // Lines a later QEMU might add: a notice before everything, an unknown detail after every line, an
        // unknown unindented line at the end.
        var lines = sample.text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let last = lines.removeLast()
        var noisy = ["Note: something new in QEMU 99"]
        for line in lines {
            noisy.append(line)
            if !line.isEmpty { noisy.append("      Future field:   value (with parens)") }
        }
        noisy.append("~~~")
        noisy.append(last)
        #expect(try parsed(sample, noisy.joined(separator: "\r\n")) == expected)
    }

    // MARK: - Missing lines

    @Test func blockMissingDetailLines() throws {
        // Drop every "Cache mode" and "Attached to" line.
        let text = InfoFixtures.blockMixed.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("Cache mode:") && !$0.contains("Attached to:") }
            .joined(separator: "\r\n")
        let devices = try HMPBlockDevice.parse(text)
        let full = try HMPBlockDevice.parse(InfoFixtures.blockMixed)
        #expect(devices.map(\.name) == full.map(\.name))
        #expect(devices.allSatisfy { $0.cache == nil && $0.attachedTo == nil })
        #expect(devices.map(\.file) == full.map(\.file))
        #expect(devices.map(\.trayOpen) == full.map(\.trayOpen))
        #expect(devices[0].backingFile == "/tmp/hmpcap/base.qcow2")
    }

    @Test func pciMissingDetailLines() throws {
        let text = InfoFixtures.pciBooted.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("PCI subsystem") && !$0.contains("id \"") && !$0.contains("IRQ") }
            .joined(separator: "\r\n")
        let devices = try HMPPCIDevice.parse(text)
        #expect(devices.count == 12)
        #expect(devices.allSatisfy { $0.subsystemID == nil && $0.qdevID == nil && $0.irq == nil && $0.irqPin == nil })
        #expect(devices.map(\.bars) == (try HMPPCIDevice.parse(InfoFixtures.pciBooted)).map(\.bars))
    }

    @Test func pciHeaderWithoutDetails() throws {
        let devices = try HMPPCIDevice.parse("  Bus  2, device  31, function 7:\r\n")
        #expect(devices == [HMPPCIDevice(bus: 2, slot: 31, function: 7, classDescription: "")])
    }

    @Test func networkMissingPeerAndOddDetails() throws {
        // A peer line with no index/type is not a client; a client whose details are not key=value keeps them.
        let text = "nic9: index=0,type=nic,model=e1000,macaddr=52:54:00:12:34:60\r\n \\ garbage\r\n"
            + "vu0: index=0,type=vhost-user,vhost-user0 to chr0\r\n"
        let network = try HMPNetworkInfo(parsing: text)
        #expect(network.clients.count == 2)
        #expect(network.clients[0].peer == nil)
        #expect(network.clients[1].client.type == "vhost-user")
        #expect(network.clients[1].client.details == "vhost-user0 to chr0")
        #expect(network.clients[1].client.parameters.isEmpty)
    }

    @Test func parametersKeepCommasInsideValues() {
        let parameters = HMPParameters(parsing: "type=filter-dump,file=/tmp/a,b.pcap,queue=rx", separator: ",")
        #expect(parameters.pairs.map(\.key) == ["type", "file", "queue"])
        #expect(parameters["file"] == "/tmp/a,b.pcap")
    }

    // MARK: - Truncation and garbage

    /// Every sample cut after each line and in the middle of each line: no parser may crash, and a parser given
    /// its own command's text cut short returns a prefix of the full result or throws.
    @Test(arguments: InfoSample.all)
    func truncatedTextNeverCrashes(sample: InfoSample) throws {
        let characters = Array(sample.text)
        var cuts: Set<Int> = [0, characters.count]
        var start = 0
        for (index, character) in characters.enumerated() where character == "\r\n" {
            cuts.insert(index + 1)
            cuts.insert((start + index) / 2)
            start = index + 1
        }
        for cut in cuts.sorted() {
            let text = String(characters[..<cut])
            for parser in allInfoParsers {
                _ = try? parser.parse(text)
            }
        }
    }

    @Test(arguments: InfoSample.all)
    func otherCommandsOutputIsNotTakenForAResult(sample: InfoSample) {
        // The text of one command given to another command's parser: an error, or (for list commands) nothing.
        for parser in allInfoParsers where !sample.command.hasPrefix(parser.command) {
            do {
                let json = try parser.parse(sample.text)
                #expect(json == [] || json == ["hubs": [], "clients": []], "\(parser.command) took \(sample.name)")
            } catch let error as HMPParseError {
                #expect(error.code == .unrecognizedOutput, "\(parser.command) on \(sample.name): \(error)")
            } catch {
                Issue.record("\(parser.command) threw \(error)")
            }
        }
    }

    @Test func garbageThrowsUnrecognizedOutput() {
        for garbage in [InfoFixtures.infoListing, "\u{1b}[K\u{1b}[D(qemu) ", "x: y\r\n  z", "\0\0\0", "🙂\r\n🙃"] {
            for parser in allInfoParsers {
                let error = #expect(throws: HMPParseError.self, "\(parser.command)") { try parser.parse(garbage) }
                #expect(error?.code == .unrecognizedOutput)
                #expect(error?.command == parser.command)
            }
        }
    }

    @Test(arguments: InfoSample.errors)
    func monitorErrorsAreReportedAsSuch(sample: InfoSample) {
        let firstLine = sample.text.split(separator: "\r\n").first.map(String.init) ?? ""
        for parser in allInfoParsers {
            let error = #expect(throws: HMPParseError.self, "\(parser.command)") { try parser.parse(sample.text) }
            #expect(error?.code == .monitorError)
            #expect(error.map { firstLine.hasSuffix($0.message) } == true)
        }
    }

    @Test func emptyText() throws {
        for text in ["", "\r\n", "\n\n", "   \r\n"] {
            // Commands that always print something: empty output is an error.
            for parser in allInfoParsers
            where ["info status", "info version", "info cpus", "info balloon"].contains(parser.command) {
                let error = #expect(throws: HMPParseError.self) { try parser.parse(text) }
                #expect(error?.code == .emptyOutput)
            }
            // List commands: nothing to list.
            #expect(try HMPBlockDevice.parse(text) == [])
            #expect(try HMPPCIDevice.parse(text) == [])
            #expect(try HMPNetworkInfo(parsing: text) == HMPNetworkInfo())
        }
    }

    @Test func partialGarbageKeepsWhatParses() throws {
        // A real entry followed by a cut-off header and noise: the entry survives.
        let text = InfoFixtures.blockOneDevice
            + "broken header without colon\r\nalso: broken\r\n    Cache mode: writeback\r\n"
        let devices = try HMPBlockDevice.parse(text)
        #expect(devices == (try HMPBlockDevice.parse(InfoFixtures.blockOneDevice)))

        let cpus = try HMPCPUInfo.parse("* CPU #0: thread_id=7\r\n  CPU #x: thread_id=8\r\n  CPU #2\r\n")
        #expect(cpus == [HMPCPUInfo(index: 0, current: true, threadID: 7, properties: ["thread_id": "7"])])

        let status = try HMPStatusInfo(parsing: "VM status: paused (\r\n")
        #expect(status == HMPStatusInfo(running: false, status: "paused"))
    }
}
