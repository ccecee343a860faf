extension HMPPCIDevice {
    /// Parses the output of `info pci`, in the order QEMU printed the functions.
    ///
    /// Returns `[]` for empty output (a machine without PCI). Throws ``HMPParseError`` when the text is not empty but
    /// holds no `Bus N, device N, function N:` line.
    public static func parse(_ text: String) throws -> [HMPPCIDevice] {
        var devices: [HMPPCIDevice] = []
        for line in InfoText.lines(text) {
            let line = InfoText.trimmed(line)
            if let (bus, slot, function) = address(line) {
                devices.append(HMPPCIDevice(bus: bus, slot: slot, function: function, classDescription: ""))
            } else if !devices.isEmpty {
                devices[devices.count - 1].apply(line)
            }
        }
        if devices.isEmpty, !text.allSatisfy(\.isWhitespace) {
            throw InfoText.failure("info pci", text, expected: "\"Bus N, device N, function N:\"")
        }
        return devices
    }

    /// Reads `Bus  0, device   1, function 3:`.
    static func address(_ line: Substring) -> (Int, Int, Int)? {
        var scanner = InfoScanner(line)
        guard scanner.skip("Bus"), let bus = scanner.decimal(), scanner.skip(","), scanner.skip("device"),
            let slot = scanner.decimal(), scanner.skip(","), scanner.skip("function"),
            let function = scanner.decimal(), scanner.skip(":")
        else { return nil }
        return (bus, slot, function)
    }

    /// Applies one detail line (trimmed); unknown lines are ignored.
    mutating func apply(_ line: Substring) {
        var scanner = InfoScanner(line)
        if let (description, ids) = InfoText.split(line, atFirst: ": PCI device ") {
            // "Ethernet controller: PCI device 1af4:1000", "Class 0255: PCI device 1af4:1002"
            classDescription = String(description)
            if description.hasPrefix("Class ") { classCode = InfoText.integer(description.dropFirst("Class ".count)) }
            (vendorID, deviceID) = Self.idPair(ids)
        } else if scanner.skip("PCI subsystem ") {
            (subsystemVendorID, subsystemID) = Self.idPair(scanner.rest)
        } else if scanner.skip("IRQ"), let irq = scanner.decimal() {
            // "IRQ 10, pin A"
            self.irq = irq
            if scanner.skip(","), scanner.skip("pin") {
                let pin = InfoText.trimmed(scanner.rest)
                irqPin = pin.isEmpty ? nil : String(pin)
            }
        } else if scanner.skip("id \"") {
            // `id "nic0"`; QEMU does not escape quotes in ids, so take everything up to the last quote.
            let id = scanner.rest.lastIndex(of: "\"").map { scanner.rest[..<$0] } ?? scanner.rest
            qdevID = id.isEmpty ? nil : String(id)
        } else if scanner.skip("BAR"), let index = scanner.decimal(), scanner.skip(":") {
            if let bar = HMPPCIBar(index: index, parsing: scanner.rest) { bars.append(bar) }
        } else {
            applyBridge(line)
        }
    }

    /// The bridge lines: `BUS 0.`, `secondary bus 1.`, `subordinate bus 1.`, `IO range [0xc000, 0xcfff]`,
    /// `memory range [...]`, `prefetchable memory range [...]`.
    mutating func applyBridge(_ line: Substring) {
        var scanner = InfoScanner(line)
        var bridge = self.bridge ?? HMPPCIBridge()
        if scanner.skip("BUS"), let number = scanner.decimal() {
            bridge.bus = number
        } else if scanner.skip("secondary bus"), let number = scanner.decimal() {
            bridge.secondaryBus = number
        } else if scanner.skip("subordinate bus"), let number = scanner.decimal() {
            bridge.subordinateBus = number
        } else if scanner.skip("IO range") {
            bridge.ioRange = Self.range(&scanner)
        } else if scanner.skip("memory range") {
            bridge.memoryRange = Self.range(&scanner)
        } else if scanner.skip("prefetchable memory range") {
            bridge.prefetchableMemoryRange = Self.range(&scanner)
        } else {
            return
        }
        self.bridge = bridge
    }

    /// Reads `vvvv:dddd`.
    static func idPair(_ text: Substring) -> (Int?, Int?) {
        guard let (vendor, device) = InfoText.split(InfoText.trimmed(text), atFirst: ":") else { return (nil, nil) }
        return (InfoText.hexadecimal(vendor).flatMap { Int(exactly: $0) },
                InfoText.hexadecimal(device).flatMap { Int(exactly: $0) })
    }

    /// Reads `[0xBASE, 0xLIMIT]`.
    static func range(_ scanner: inout InfoScanner) -> HMPPCIRange? {
        guard scanner.skip("["), let base = scanner.hexadecimal(), scanner.skip(","),
            let limit = scanner.hexadecimal(), scanner.skip("]")
        else { return nil }
        return HMPPCIRange(base: base, limit: limit)
    }
}

extension HMPPCIBar {
    /// Reads what follows `BARn:`: `I/O at 0xd200 [0xd21f].`, `32 bit memory at 0xfeaf0000 [0xfeaf00ff].`,
    /// `64 bit prefetchable memory at ...`, or `... (not mapped)`.
    init?(index: Int, parsing text: Substring) {
        var scanner = InfoScanner(text)
        if scanner.skip("I/O") {
            self.init(index: index, kind: .io)
        } else if let bits = scanner.decimal(), scanner.skip("bit") {
            let prefetchable = scanner.skip("prefetchable")
            guard scanner.skip("memory") else { return nil }
            self.init(index: index, kind: .memory, bits: bits, prefetchable: prefetchable)
        } else {
            return nil
        }
        guard scanner.skip("at"), let first = scanner.hexadecimal(), scanner.skip("["),
            let last = scanner.hexadecimal(), scanner.skip("]"), first != UInt64.max
        else { return }  // "(not mapped)", or QEMU 7.2's all-ones address for an unplaced BAR
        address = first
        lastAddress = last
    }
}
