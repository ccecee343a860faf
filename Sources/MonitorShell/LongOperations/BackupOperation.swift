#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP
import QMPWire

/// `qmpsh backup`: a full or incremental backup of one disk of a running guest into a new qcow2 file.
///
/// A full backup also (re)starts the dirty bitmap ``bitmapName`` on the disk, in the same `transaction`, so a
/// later incremental backup copies exactly what changed since. An incremental image holds only those clusters
/// (rebase it onto the previous backup to restore). The target file is created with mode 0600 and formatted by
/// QEMU (`blockdev-create`); the job is followed with `Job` and reported through `progress`.
public struct BackupOperation: Sendable {
    /// Which clusters the backup copies.
    public enum Mode: String, Sendable {
        /// `full` copies the whole disk and restarts the bitmap; `incremental` copies what the bitmap marked since
        /// the last backup, and fails when no full backup started the bitmap.
        case full, incremental
    }

    /// The dirty bitmap that tracks the writes since the last full or incremental backup.
    public static let bitmapName = "qmpkit-backup"

    /// The disk to back up: a device id (`vd0`), a `-drive` id or a node name.
    public var disk: String
    /// The qcow2 file to write. It is created by this process (0600, and it must not exist), then opened by QEMU:
    /// give an absolute path, since QEMU resolves relative ones against its own working directory.
    public var target: String
    /// Full or incremental.
    public var mode: Mode
    /// How long the backup job may run before it is cancelled and ``run(on:progress:)`` throws.
    public var timeout: Duration

    /// A backup of `disk` into the new file `target`; the job may run for `timeout` (an hour by default).
    public init(disk: String, target: String, mode: Mode, timeout: Duration = .seconds(3600)) {
        self.disk = disk
        self.target = target
        self.mode = mode
        self.timeout = timeout
    }

    /// Runs the backup on `client`; `progress` gets every report. Returns the final job entry.
    @discardableResult
    public func run(on client: QMPClient, progress: (JobProgress) -> Void) async throws -> JobInfo? {
        let (node, size) = try await DiskResolution.node(disk, on: client)
        let hasBitmap = try await Self.bitmapExists(on: client, node: node)
        if mode == .incremental, !hasBitmap {
            throw QMPUsageError("no full backup of '\(disk)' to build on: run a --full backup first (it starts the bitmap)")
        }
        let targetNode = "qmpkit-backup-target"
        try await Self.createImage(at: target, size: size, node: targetNode, on: client)
        do {
            let jobID = "qmpkit-backup"
            var backup = BlockdevBackup(jobID: jobID, device: node, target: targetNode, sync: mode == .full ? .full : .incremental)
            if mode == .incremental { backup.bitmap = Self.bitmapName }
            let job: Job
            if mode == .full {
                // The bitmap starts at the backup's point in time: both in one transaction.
                var actions: [TransactionAction] = []
                if hasBitmap {
                    actions.append(.other(type: "block-dirty-bitmap-remove", data: ["node": .string(node), "name": .string(Self.bitmapName)]))
                }
                actions.append(.blockDirtyBitmapAdd(BlockDirtyBitmapAdd(node: node, name: Self.bitmapName)))
                backup.autoDismiss = false
                actions.append(.blockdevBackup(backup))
                let cursor = client.eventCursor()
                _ = try await client.execute(Transaction(actions))
                job = Job.attach(id: jobID, on: client, since: cursor)
            } else {
                job = try await Job.start(backup, on: client)
            }
            for try await report in job.progress() { progress(report) }
            let final = try await job.waitForConclusion(timeout: timeout)
            _ = try await client.execute(BlockdevDel(nodeName: targetNode))
            _ = try? await client.execute(BlockdevDel(nodeName: targetNode + "-file"))
            return final
        } catch {
            _ = try? await client.execute(BlockdevDel(nodeName: targetNode))
            _ = try? await client.execute(BlockdevDel(nodeName: targetNode + "-file"))
            throw error
        }
    }

    static func bitmapExists(on client: QMPClient, node: String) async throws -> Bool {
        let nodes = try await client.execute("query-named-block-nodes", arguments: ["flat": true])
        let entry = nodes.arrayValue?.first { $0["node-name"]?.stringValue == node }
        return entry?["dirty-bitmaps"]?.arrayValue?.contains { $0["name"]?.stringValue == bitmapName } ?? false
    }

    /// Creates `path` (mode 0600, must not exist), formats it as qcow2 of `size` bytes with `blockdev-create`, and
    /// opens it as `node`.
    static func createImage(at path: String, size: Int, node: String, on client: QMPClient) async throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw QMPUsageError("cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        _ = try await client.execute(BlockdevAdd(driver: "file", nodeName: node + "-file", options: ["filename": .string(path)]))
        let create = try await Job.start(
            BlockdevCreate(jobID: "qmpkit-create", options: ["driver": "qcow2", "file": .string(node + "-file"), "size": .int(Int64(size))]),
            on: client)
        try await create.waitForConclusion(timeout: .seconds(120))
        _ = try await client.execute(BlockdevAdd(driver: "qcow2", nodeName: node, options: ["file": .string(node + "-file")]))
    }
}
