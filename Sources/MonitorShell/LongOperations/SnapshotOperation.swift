public import QMP
import QMPWire

/// `qmpsh snapshot save|load|list|delete`: internal snapshots of every writable qcow2 disk of a guest, with the
/// VM state in the first one, through the job-based `snapshot-*` commands (QEMU ≥ 6.0).
public enum SnapshotOperation {
    /// One internal snapshot as `list` shows it.
    public struct Entry: Sendable, Equatable {
        /// The snapshot's tag, as given to `save`.
        public var name: String
        /// Bytes of VM state saved with it (0 for a disk-only snapshot).
        public var vmStateSize: Int64
        /// The nodes that hold it.
        public var nodes: [String]
    }

    /// `save`, `load` or `delete` of snapshot `name`; returns the nodes it covered.
    @discardableResult
    public static func run(_ verb: String, name: String, on client: QMPClient, timeout: Duration = .seconds(600)) async throws -> [String] {
        let nodes = try await DiskResolution.snapshotNodes(on: client)
        guard let vmstate = nodes.first else {
            throw QMPUsageError("internal snapshots need a writable qcow2 disk attached to the guest; this one has none")
        }
        let jobID = "qmpkit-snapshot-\(verb)"
        let job: Job
        switch verb {
        case "save":
            job = try await Job.start(SnapshotSave(jobID: jobID, tag: name, vmstate: vmstate, devices: nodes), on: client)
        case "load":
            job = try await Job.start(SnapshotLoad(jobID: jobID, tag: name, vmstate: vmstate, devices: nodes), on: client)
        case "delete":
            job = try await Job.start(SnapshotDelete(jobID: jobID, tag: name, devices: nodes), on: client)
        default:
            throw QMPUsageError("unknown snapshot action '\(verb)': save, load, list or delete")
        }
        do {
            try await job.waitForConclusion(timeout: timeout)
        } catch var error as JobFailedError where verb == "load" {
            // QEMU stops the guest for the load and leaves it stopped when the load fails (e.g. "Device has active
            // dirty bitmaps", refused before anything was loaded).
            if try await client.execute(QueryStatus()).status == .restoreVM {
                error.message += " (the guest is left stopped in restore-vm; `cont` resumes it if nothing was loaded)"
            }
            throw error
        }
        return nodes
    }

    /// The internal snapshots of the guest's disks (from `query-block`), merged by name.
    public static func list(on client: QMPClient) async throws -> [Entry] {
        let blocks = try await client.execute("query-block")
        var entries: [Entry] = []
        for block in blocks.arrayValue ?? [] {
            guard let inserted = block["inserted"], let node = inserted["node-name"]?.stringValue else { continue }
            for snapshot in inserted["image"]?["snapshots"]?.arrayValue ?? [] {
                guard let name = snapshot["name"]?.stringValue else { continue }
                let size = snapshot["vm-state-size"]?.int64Value ?? 0
                if let index = entries.firstIndex(where: { $0.name == name }) {
                    entries[index].nodes.append(node)
                    entries[index].vmStateSize = max(entries[index].vmStateSize, size)
                } else {
                    entries.append(Entry(name: name, vmStateSize: size, nodes: [node]))
                }
            }
        }
        return entries
    }
}
