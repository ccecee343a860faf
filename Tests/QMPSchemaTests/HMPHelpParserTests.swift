import QMPSchema
import Testing

@Suite struct HMPHelpParserTests {
    @Test func commandNamesFromHelp() {
        let names = HMPHelpParser.commandNames(inHelp: Fixtures.qemu72Help)
        #expect(names.contains("info"))
        #expect(names.contains("device_add"))
        #expect(names.contains("drive_add"))
        // Aliases: `cont|c`, `quit|q`, `help|?`.
        #expect(names.contains("cont") && names.contains("c"))
        #expect(names.contains("q") && names.contains("?"))
        // Continuation lines are not commands.
        #expect(!names.contains { $0.hasPrefix("[") || $0.isEmpty })
        #expect(names.count > 100)
        // QEMU's own line ends.
        let crlf = Fixtures.qemu72Help.split(separator: "\n").joined(separator: "\r\n")
        #expect(HMPHelpParser.commandNames(inHelp: crlf) == names)
    }

    @Test func infoSubcommands() {
        let names = HMPHelpParser.infoSubcommands(inHelp: Fixtures.qemu72Info)
        #expect(names.count == 67)
        #expect(names.contains("block") && names.contains("qtree") && names.contains("virtio-queue-element"))
    }

    @Test func netdevsFromInfoNetwork() {
        let text = "nic0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:12:34:56\r\n \\ n0: index=0,type=user,net=10.0.2.0,restrict=off\r\nn1: index=0,type=user,net=10.0.2.0,restrict=off\r\nhub 0\r\n \\ hub0port0: index=0,type=hubport,hub=0\r\n"
        #expect(HMPHelpParser.netdevIDs(inInfoNetwork: text) == ["n0", "n1", "hub0port0"])
        #expect(HMPHelpParser.netdevIDs(inInfoNetwork: "").isEmpty)
    }

    @Test func busesFromInfoQtree() {
        let text = "bus: main-system-bus\r\n  type System\r\n  dev: i440FX-pcihost, id \"\"\r\n    bus: pci.0\r\n      type PCI\r\n        bus: virtio-bus\r\n      dev: piix3-ide, id \"\"\r\n        bus: ide.1\r\n        bus: ide.0\r\n"
        #expect(HMPHelpParser.busNames(inInfoQtree: text) == ["main-system-bus", "pci.0", "virtio-bus", "ide.1", "ide.0"])
    }
}
