public import GuestAgent

/// Text renderings of what the guest agent reports, for `qmpsh guest GUEST info` and the shell.
public enum GuestAgentReport {
    /// Left-aligned columns separated by two spaces, with a header line.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// The OS, interfaces, disks and file systems as four titled tables.
    public static func info(
        os: GuestOSInfo, interfaces: [GuestNetworkInterface], disks: [GuestDisk], filesystems: [GuestFilesystem]
    ) -> String {
        var text = "OS\n"
        text += table(["NAME", "VERSION", "KERNEL", "MACHINE"], [[
            os.prettyName ?? os.name ?? os.id ?? "-", os.versionID ?? os.version ?? "-", os.kernelRelease ?? "-",
            os.machine ?? "-",
        ]])
        text += "\nINTERFACES\n"
        text += table(["NAME", "MAC", "ADDRESSES"], interfaces.map { interface in
            [
                interface.name, interface.hardwareAddress ?? "-",
                (interface.addresses ?? []).map { "\($0.address)/\($0.prefix)" }.joined(separator: " "),
            ]
        })
        text += "\nDISKS\n"
        text += table(["NAME", "PARTITION", "BUS", "SERIAL"], disks.map { disk in
            [disk.name, disk.partition ? "yes" : "no", disk.address?.busType ?? "-", disk.address?.serial ?? "-"]
        })
        text += "\nFILESYSTEMS\n"
        text += table(["MOUNTPOINT", "TYPE", "DEVICE", "USED", "TOTAL"], filesystems.map { fs in
            [fs.mountpoint, fs.type, fs.name, fs.usedBytes.map(size) ?? "-", fs.totalBytes.map(size) ?? "-"]
        })
        return text
    }

    /// Bytes in binary units (`512 B`, `1.5 MiB`).
    public static func size(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// A `cp` operand: `:PATH` (or `guest:PATH`) is in the guest, anything else on the host.
    public enum CopyOperand: Sendable, Equatable {
        /// A path in the guest.
        case guest(String)
        /// A path on the host.
        case host(String)

        /// Reads an operand: `:PATH` or `guest:PATH` is in the guest, anything else on the host.
        public init(_ text: String) {
            if text.hasPrefix(":") {
                self = .guest(String(text.dropFirst()))
            } else if text.hasPrefix("guest:") {
                self = .guest(String(text.dropFirst(6)))
            } else {
                self = .host(text)
            }
        }
    }
}
