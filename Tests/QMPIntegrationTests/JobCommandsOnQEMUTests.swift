#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMP
import QMPTestSupport
import QMPWire

/// The typed job commands on a real QEMU (a qcow2 disk on a device; the machine boots nothing): external snapshots
/// in a transaction, committing the active layer (ready → complete), streaming, drive-backup. Each checked by
/// the resulting backing chain or image, not only by `{}`.
@Suite(.timeLimit(.minutes(2))) struct JobCommandsOnQEMUTests {
    @Test func snapshotCommitStreamDriveBackup() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-jobcmds")
        defer { directory.remove() }
        let base = directory.file("base.qcow2")
        for arguments in [["qemu-img", "create", "-q", "-f", "qcow2", base, "16M"], ["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 2M", base]] {
            let result = try await ChildProcess.run(arguments)
            try #require(result.status == 0, "\(result)")
        }
        let qemu = try QEMUProcess.launch(arguments: [
            "-machine", "pc", "-accel", "tcg", "-m", "64",
            "-blockdev", "driver=qcow2,node-name=d0,file.driver=file,file.filename=\(base)", "-device", "virtio-blk-pci,drive=d0,id=vd0",
        ])
        let client = try await qemu.connect()
        func chain(_ node: String) async throws -> [String] {
            let nodes = try await client.execute(QueryNamedBlockNodes())
            var names: [String] = []
            var image = nodes.first { $0.nodeName == node }?.image
            while let current = image {
                names.append(String(current.filename.split(separator: "/").last ?? ""))
                image = current.backingImage
            }
            return names
        }

        // An overlay and a dirty bitmap at one point in time, one transaction. (An overlay needs a parent to stay:
        // on a node no device uses, QEMU creates the file and drops the node.)
        _ = try await client.execute(Transaction([
            .blockdevSnapshotSync(BlockdevSnapshotSync(device: "d0", byNodeName: true, snapshotFile: directory.file("o1.qcow2"), snapshotNodeName: "o1", format: "qcow2")),
            .blockDirtyBitmapAdd(BlockDirtyBitmapAdd(node: "d0", name: "bm0")),
        ]))
        #expect(try await chain("o1") == ["o1.qcow2", "base.qcow2"])

        // Commit the active layer: a mirror-like job that waits in ready; complete() pivots to the base.
        let commit = try await Job.start(BlockCommit(jobID: "c1", device: "o1"), on: client)
        try await commit.wait(until: [.ready], timeout: .seconds(60))
        try await commit.complete(timeout: .seconds(60))
        #expect(try await client.execute(QueryNamedBlockNodes()).contains { $0.nodeName == "o1" } == false, "o1 was dropped")

        // A new overlay, streamed: it then holds all data and needs no backing file.
        _ = try await client.execute(BlockdevSnapshotSync(device: "d0", byNodeName: true, snapshotFile: directory.file("o2.qcow2"), snapshotNodeName: "o2", format: "qcow2"))
        #expect(try await chain("o2") == ["o2.qcow2", "base.qcow2"])
        let stream = try await Job.start(BlockStream(jobID: "s1", device: "o2"), on: client)
        let streamed = try await stream.waitForConclusion(timeout: .seconds(60))
        #expect(streamed?.status == .concluded && streamed?.currentProgress == streamed?.totalProgress)
        #expect(try await chain("o2") == ["o2.qcow2"])

        // drive-backup creates its target itself. It is deprecated: under `-compat deprecated-input=reject` (the QEMU
        // matrix's compat pass sets QMPKIT_QEMU_COMPAT) QEMU must refuse it by policy, and nothing is started.
        let copy = directory.file("copy.qcow2")
        let command = DriveBackup(jobID: "b1", device: "o2", target: copy, format: "qcow2")
        if getenv("QMPKIT_QEMU_COMPAT") != nil {
            do {
                _ = try await Job.start(command, on: client)
                Issue.record("drive-backup was accepted under -compat deprecated-input=reject")
            } catch let error as QMPError {
                #expect(error.message.contains("disabled by policy"), "\(error)")
            }
            #expect(try await client.execute(QueryJobs()).isEmpty)
            await client.close()
            return
        }
        let backup = try await Job.start(command, on: client)
        try await backup.waitForConclusion(timeout: .seconds(60))
        #expect(try await client.execute(QueryJobs()).isEmpty)
        let compare = try await ChildProcess.run(["qemu-img", "compare", "-U", base, copy])
        #expect(compare.status == 0, "the backup holds the base's data: \(compare)")
        await client.close()
    }
}
