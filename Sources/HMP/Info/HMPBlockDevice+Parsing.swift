extension HMPBlockDevice {
    /// Parses the output of `info block` (also with `-n`, `-v` or a device name).
    ///
    /// Returns `[]` for empty output (no drives; also what QEMU prints for `info block NAME` when no drive has that
    /// name). Throws ``HMPParseError`` when the text is not empty but holds no entry (QEMU's error, garbage).
    public static func parse(_ text: String) throws -> [HMPBlockDevice] {
        var devices: [HMPBlockDevice] = []
        var inImages = false
        for line in InfoText.lines(text) {
            if InfoText.isBlank(line) {
                inImages = false
                continue
            }
            if inImages { continue }
            if !InfoText.isIndented(line) {
                if InfoText.trimmed(line) == "Images:" {
                    // `info block -v`: image details up to the empty line that ends the entry.
                    inImages = true
                } else if let device = HMPBlockDevice(header: line) {
                    devices.append(device)
                }
                continue
            }
            guard !devices.isEmpty, let (key, value) = InfoText.split(line, atFirst: ":") else { continue }
            devices[devices.count - 1].apply(key: InfoText.trimmed(key), value: InfoText.trimmed(value))
        }
        for index in devices.indices {
            devices[index].resolveNames()
        }
        if devices.isEmpty, !text.allSatisfy(\.isWhitespace) {
            throw InfoText.failure("info block", text, expected: "\"NAME: FILE (FORMAT)\" or \"NAME: [not inserted]\"")
        }
        return devices
    }

    /// Reads a header line, `NAME (NODE): FILE (FORMAT[, read-only][, encrypted])` or `NAME: [not inserted]`.
    /// `nil` for any other line, so the non-indented lines of an `Images:` section are never taken for entries.
    init?(header line: Substring) {
        guard let (label, rest) = InfoText.split(line, atFirst: ": ") else { return nil }
        var name = InfoText.trimmed(label)
        var node: Substring?
        if let (base, group) = InfoText.splitTrailingGroup(name) {
            name = base
            node = group
        }
        guard !name.isEmpty, !name.contains(where: \.isWhitespace), node?.contains(where: \.isWhitespace) != true
        else { return nil }

        let medium = InfoText.trimmed(rest)
        if medium == "[not inserted]" {
            self.init(name: String(name), nodeName: node.map(String.init), inserted: false)
        } else {
            guard let (file, group) = InfoText.splitTrailingGroup(medium), !file.isEmpty else { return nil }
            let flags = group.split(separator: ",").map { InfoText.trimmed($0) }
            guard let format = flags.first, !format.isEmpty, !format.contains(where: \.isWhitespace) else {
                return nil
            }
            self.init(
                name: String(name), nodeName: node.map(String.init), inserted: true, file: String(file),
                format: String(format), readOnly: flags.contains("read-only"), encrypted: flags.contains("encrypted"))
        }
        // Remember whether the header had "(NODE)"; `resolveNames` needs it once the detail lines are read.
        device = node == nil ? nil : String(name)
    }

    /// Applies one `Key: value` detail line; unknown keys are ignored.
    mutating func apply(key: Substring, value: Substring) {
        switch key {
        case "Attached to":
            attachedTo = String(value)
        case "I/O status":
            ioStatus = String(value)
        case "Removable device":
            // "not locked, tray closed" / "locked, tray open"
            removable = true
            for word in value.split(separator: ",").map({ InfoText.trimmed($0) }) {
                switch word {
                case "locked": locked = true
                case "not locked": locked = false
                case "tray open": trayOpen = true
                case "tray closed": trayOpen = false
                default: break
                }
            }
        case "Cache mode":
            cache = HMPBlockCacheMode(parsing: value)
        case "Backing file":
            // "/path/base.qcow2 (chain depth: 1)"
            if let (file, group) = InfoText.splitTrailingGroup(value), group.hasPrefix("chain depth:") {
                backingFile = String(file)
                backingChainDepth = InfoText.integer(group.dropFirst("chain depth:".count))
            } else {
                backingFile = String(value)
            }
        case "Detect zeroes":
            detectZeroes = String(value)
        case "I/O throttling":
            throttling = HMPParameters(parsing: value, separator: " ")
        default:
            break
        }
    }

    /// Decides what the header name is. With "(NODE)" it is the drive name. Without, an inserted entry is a node
    /// (a `-blockdev` disk, or `info block -n`); an empty one is a drive, unless the name is the attached device's
    /// own id (a drive-less `-device ide-cd,id=cdx`).
    mutating func resolveNames() {
        if device != nil { return }
        if inserted {
            nodeName = name
        } else if name != attachedTo {
            device = name
        }
    }
}
