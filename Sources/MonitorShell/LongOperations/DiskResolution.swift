import QMP
import QMPWire

/// Finds block nodes behind the names users give: a device id (`vd0`), a `-drive` id, or a node name.
enum DiskResolution {
    /// The node name and virtual size of the disk `name`.
    static func node(_ name: String, on client: QMPClient) async throws -> (node: String, size: Int) {
        let blocks = try await client.execute(QueryBlock())
        for block in blocks {
            guard let inserted = block.inserted else { continue }
            let qdevMatches = block.qdev == name || block.qdev?.hasSuffix("/" + name) == true
                || block.qdev == "/machine/peripheral/\(name)/virtio-backend"
            if block.device == name || qdevMatches || inserted.nodeName == name {
                guard let node = inserted.nodeName else { break }
                return (node, inserted.image.virtualSize)
            }
        }
        let nodes = try await client.execute(QueryNamedBlockNodes())
        if let node = nodes.first(where: { $0.nodeName == name }) { return (name, node.image.virtualSize) }
        let known = blocks.compactMap { $0.qdev.map { $0.split(separator: "/").last.map(String.init) ?? $0 } }
        throw QMPUsageError("no disk '\(name)'" + (known.isEmpty ? "" : " (disks: \(known.joined(separator: ", ")))"))
    }

    /// The writable qcow2 nodes attached to devices: what internal snapshots cover.
    static func snapshotNodes(on client: QMPClient) async throws -> [String] {
        try await client.execute(QueryBlock()).compactMap { block in
            guard let inserted = block.inserted, !inserted.readOnly, inserted.driver == "qcow2" else { return nil }
            return inserted.nodeName
        }
    }
}
