#if canImport(Glibc)
import Glibc
#endif
import Testing
import QEMURunner
import QMP
import QMPTestSupport
import QMPWire

/// Block jobs and internal snapshots on the booted test guest, each checked from inside the guest (its shell on
/// the serial console reads and writes the disk with direct I/O) and on the host (`qemu-img`).
/// One guest with a 64 MiB qcow2 data disk (`vda`, node `d0`) runs the steps in order.
@Suite(.timeLimit(.minutes(6))) struct JobGuestTests {
    /// Writes `text` and a newline into sector `sector` of the guest disk and flushes it.
    static func write(_ text: String, sector: Int, device: String = "vda", on guest: Guest) async throws {
        _ = try await TestGuest.run("echo \(text) | dd of=/dev/\(device) bs=512 seek=\(sector) conv=sync,fsync 2>/dev/null", on: guest)
    }

    /// The first line of sector `sector`, read past the guest's page cache.
    static func read(sector: Int, device: String = "vda", on guest: Guest) async throws -> String {
        let output = try await TestGuest.run("dd if=/dev/\(device) bs=512 skip=\(sector) count=1 iflag=direct 2>/dev/null | head -n 1", on: guest)
        return output.split(separator: "\n").last.map(String.init) ?? ""
    }

    static func qemuImg(_ arguments: [String]) async throws -> String {
        let result = try await Subprocess.run(["qemu-img"] + arguments)
        guard result.termination.isSuccess else { throw TestSupportError("qemu-img \(arguments.joined(separator: " ")): \(result.standardError)") }
        return result.standardOutput
    }

    /// The bytes of a qcow2 image's sector, read on the host (the image may be in use).
    static func hostSector(_ image: String, sector: Int, scratch: TemporaryDirectory) async throws -> String {
        let raw = scratch.file("sector.raw")
        _ = try await qemuImg(["convert", "-U", "-f", "qcow2", "-O", "raw", image, raw])
        let descriptor = open(raw, O_RDONLY)
        guard descriptor >= 0 else { throw TestSupportError("cannot open \(raw)") }
        defer { close(descriptor); unlink(raw) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = pread(descriptor, &buffer, 512, off_t(sector * 512))
        guard count == 512 else { throw TestSupportError("short read of \(raw)") }
        return String(decoding: buffer.prefix { $0 != 0 && $0 != 10 }, as: UTF8.self)
    }

    static func machine(disk: String) -> MachineConfiguration {
        var machine = TestGuest.machine()
        machine.extraArguments += [
            "-blockdev", "driver=qcow2,node-name=d0,file.driver=file,file.filename=\(disk)",
            "-device", "virtio-blk-pci,drive=d0,id=vd0",
        ]
        return machine
    }

    @Test func backupMirrorSnapshotCancel() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-jobs")
        defer { directory.remove() }
        let disk = directory.file("d0.qcow2")
        _ = try await Self.qemuImg(["create", "-q", "-f", "qcow2", disk, "64M"])
        try await Guest.withGuest(Self.machine(disk: disk), options: TestGuest.options) { guest in
            try await HotplugTests.waitForShell(guest)
            _ = try await TestGuest.poll("ls /sys/block", on: guest) { $0.contains("vda") }
            try await Self.backup(guest, directory)
            try await Self.mirror(guest, directory)
            try await Self.internalSnapshot(guest)
            try await Self.cancelMidJob(guest, directory)
            try await Self.refusedActions(guest, directory)
            try await Self.noSpace(guest, directory)
        }
    }

    /// Backup while the guest keeps writing; the image is consistent and, plugged back into the guest read-only,
    /// holds the marker written before the backup started.
    static func backup(_ guest: Guest, _ directory: TemporaryDirectory) async throws {
        let client = guest.client
        try await write("MARK-BACKUP", sector: 0, on: guest)
        // Keep writing elsewhere on the disk during the backup.
        _ = try await TestGuest.run("(while true; do dd if=/dev/urandom of=/dev/vda bs=64k seek=64 count=16 conv=fsync 2>/dev/null; done) & W=$!", on: guest)
        let target = directory.file("backup.qcow2")
        _ = try await qemuImg(["create", "-q", "-f", "qcow2", target, "64M"])
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "bk0", filename: target))
        let job = try await Job.start(BlockdevBackup(jobID: "backup0", device: "d0", target: "bk0"), on: client)
        var reports: [JobProgress] = []
        for try await progress in job.progress(every: .milliseconds(200)) { reports.append(progress) }
        try await job.waitForConclusion(timeout: .seconds(120))
        _ = try await TestGuest.run("kill $W", on: guest)
        #expect(reports.last?.status == .concluded)
        #expect(reports.last?.fraction == 1)
        #expect(try await client.execute(QueryJobs()).isEmpty, "a concluded job is dismissed")
        _ = try await client.execute(BlockdevDel(nodeName: "bk0"))
        let check = try await qemuImg(["check", target])
        #expect(check.contains("No errors were found"))
        // Plug the backup into the guest, read-only, and read the marker there.
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "bk1", filename: target, readOnly: true))
        _ = try await client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vdbk", properties: ["drive": "bk1"]))
        _ = try await TestGuest.poll("ls /sys/block", on: guest) { $0.contains("vdb") }
        #expect(try await read(sector: 0, device: "vdb", on: guest) == "MARK-BACKUP")
        _ = try await client.execute(DeviceDel(id: "vdbk"))
        _ = try await client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(60)) { $0.device == "vdbk" }
        _ = try await client.execute(BlockdevDel(nodeName: "bk1"))
    }

    /// Mirror to a new image, switch over: the guest's disk is then the target, and what the guest writes
    /// afterwards lands in the target, not in the old image.
    static func mirror(_ guest: Guest, _ directory: TemporaryDirectory) async throws {
        let client = guest.client
        let target = directory.file("mirror.qcow2")
        _ = try await qemuImg(["create", "-q", "-f", "qcow2", target, "64M"])
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "m0", filename: target))
        let job = try await Job.start(BlockdevMirror(jobID: "mirror0", device: "d0", target: "m0"), on: client)
        try await job.wait(until: [.ready], timeout: .seconds(120))
        try await job.complete(timeout: .seconds(60))
        let blocks = try await client.execute(QueryBlock())
        #expect(blocks.first { $0.qdev?.contains("vd0") == true }?.inserted?.nodeName == "m0")
        try await write("AFTER-SWITCH", sector: 1, on: guest)
        #expect(try await hostSector(target, sector: 1, scratch: directory) == "AFTER-SWITCH")
        #expect(try await hostSector(directory.file("d0.qcow2"), sector: 1, scratch: directory) != "AFTER-SWITCH")
        #expect(try await hostSector(target, sector: 0, scratch: directory) == "MARK-BACKUP")
    }

    /// write A → snapshot-save → write B → snapshot-load → the guest reads A again.
    static func internalSnapshot(_ guest: Guest) async throws {
        let client = guest.client
        try await write("SNAP-A", sector: 2, on: guest)
        let save = try await Job.start(SnapshotSave(jobID: "save0", tag: "t1", vmstate: "m0", devices: ["m0"]), on: client)
        try await save.waitForConclusion(timeout: .seconds(120))
        try await write("SNAP-B", sector: 2, on: guest)
        #expect(try await read(sector: 2, on: guest) == "SNAP-B")
        let load = try await Job.start(SnapshotLoad(jobID: "load0", tag: "t1", vmstate: "m0", devices: ["m0"]), on: client)
        try await load.waitForConclusion(timeout: .seconds(120))
        #expect(try await read(sector: 2, on: guest) == "SNAP-A")
        let delete = try await Job.start(SnapshotDelete(jobID: "delete0", tag: "t1", devices: ["m0"]), on: client)
        try await delete.waitForConclusion(timeout: .seconds(60))
        let left = try await client.execute(QueryJobs())
        #expect(left.isEmpty, "\(left)")
        // Loading a snapshot that is gone fails with QEMU's text in the error.
        let missing = try await Job.start(SnapshotLoad(jobID: "load1", tag: "t1", vmstate: "m0", devices: ["m0"]), on: client)
        await #expect {
            try await missing.waitForConclusion(timeout: .seconds(60))
        } throws: { error in
            (error as? JobFailedError).map { $0.message.contains("t1") && !$0.cancelled } ?? false
        }
        #expect(try await client.execute(QueryJobs()).isEmpty, "a failed job is dismissed too")
        // QEMU leaves the guest stopped in restore-vm after a failed load; `cont` lets it go on as it was.
        #expect(try await client.execute(QueryStatus()).status == .restoreVM)
        _ = try await client.execute(Cont())
        #expect(try await read(sector: 2, on: guest) == "SNAP-A")
    }

    /// A slow backup cancelled while it runs: it ends cancelled, partly done, and is gone from query-jobs.
    static func cancelMidJob(_ guest: Guest, _ directory: TemporaryDirectory) async throws {
        let client = guest.client
        _ = try await TestGuest.run("dd if=/dev/urandom of=/dev/vda bs=1M seek=4 count=8 conv=fsync 2>/dev/null", on: guest)
        let target = directory.file("slow.qcow2")
        _ = try await qemuImg(["create", "-q", "-f", "qcow2", target, "64M"])
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "slow0", filename: target))
        let job = try await Job.start(BlockdevBackup(jobID: "slow", device: "m0", target: "slow0", speed: 1 << 20), on: client)
        var seen: JobProgress?
        for try await progress in job.progress(every: .milliseconds(200)) where progress.current > 0 {
            seen = progress
            break
        }
        let partial = try #require(seen)
        #expect(partial.total > partial.current)
        try await job.cancel(timeout: .seconds(60))
        #expect(try await client.execute(QueryJobs()).isEmpty)
        #expect(job.lastReportedStatus == .null)
        _ = try await client.execute(BlockdevDel(nodeName: "slow0"))
    }

    /// Actions QEMU would refuse are refused before sending, with the state in the message.
    static func refusedActions(_ guest: Guest, _ directory: TemporaryDirectory) async throws {
        let client = guest.client
        let target = directory.file("refused.qcow2")
        _ = try await qemuImg(["create", "-q", "-f", "qcow2", target, "64M"])
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "r0", filename: target))
        let job = try await Job.start(BlockdevBackup(jobID: "r", device: "m0", target: "r0", speed: 1 << 20), on: client)
        try await job.wait(until: [.running], timeout: .seconds(30))
        await #expect {
            try await job.complete()
        } throws: { error in
            (error as? JobStateError).map { $0.verb == .complete && $0.status == .running } ?? false
        }
        try await job.pause()
        try await job.wait(until: [.paused], timeout: .seconds(30))
        try await job.resume()
        try await job.cancel(timeout: .seconds(60))
        await #expect {
            try await job.dismiss()
        } throws: { error in
            (error as? JobStateError).map { $0.status == nil && "\($0)".contains("does not exist") } ?? false
        }
        _ = try await client.execute(BlockdevDel(nodeName: "r0"))
    }

    /// A real ENOSPC: job targets and a guest disk on a 4 MiB tmpfs. With `on-target-error: report` the job
    /// fails with QEMU's text; with `stop` it stops and waits; a guest disk with `werror=stop` pauses the guest
    /// until there is room again, then the guest's write completes.
    static func noSpace(_ guest: Guest, _ directory: TemporaryDirectory) async throws {
        let client = guest.client
        let full = directory.file("full")
        mkdir(full, 0o700)
        let mounted = try await Subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", full])
        try #require(mounted.termination.isSuccess, "mounting a small tmpfs needs root: \(mounted.standardError)")
        defer { _ = umount2(full, Int32(MNT_DETACH)) }
        _ = try await TestGuest.run("dd if=/dev/urandom of=/dev/vda bs=1M seek=16 count=8 conv=fsync 2>/dev/null", on: guest)
        let target = full + "/t.qcow2"

        _ = try await qemuImg(["create", "-q", "-f", "qcow2", target, "64M"])
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "ns0", filename: target))
        let reported = try await Job.start(
            BlockdevBackup(jobID: "ns-report", device: "m0", target: "ns0", onTargetError: .report), on: client)
        await #expect {
            try await reported.waitForConclusion(timeout: .seconds(120))
        } throws: { error in
            (error as? JobFailedError)?.message.contains("No space left on device") ?? false
        }
        _ = try await client.execute(BlockdevDel(nodeName: "ns0"))
        unlink(target)

        _ = try await qemuImg(["create", "-q", "-f", "qcow2", target, "64M"])
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "ns1", filename: target))
        let stopped = try await Job.start(
            BlockdevBackup(jobID: "ns-stop", device: "m0", target: "ns1", onTargetError: .stop), on: client)
        await #expect {
            try await stopped.waitForConclusion(timeout: .seconds(120))
        } throws: { error in
            (error as? JobIOError).map { $0.noSpace && $0.operation == "write" } ?? false
        }
        #expect(try await stopped.info()?.status == .paused)
        try await stopped.cancel(timeout: .seconds(60))
        _ = try await client.execute(BlockdevDel(nodeName: "ns1"))
        unlink(target)

        // The guest's own disk fills up: werror=stop pauses the guest, more room and `cont` let it finish.
        _ = try await qemuImg(["create", "-q", "-f", "qcow2", target, "64M"])
        _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "ns2", filename: target))
        _ = try await client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vdfull", properties: ["drive": "ns2", "werror": "stop"]))
        _ = try await TestGuest.poll("ls /sys/block", on: guest) { $0.contains("vdb") }
        let cursor = client.eventCursor()
        try guest.console.send("dd if=/dev/urandom of=/dev/vdb bs=1M count=8 conv=fsync 2>/dev/null; echo WROTE-$?\n")
        let ioError = try await client.waitForEvent("BLOCK_IO_ERROR", since: .cursor(cursor), timeout: .seconds(120))
        #expect(ioError.data["nospace"] == true)
        #expect(ioError.data["action"] == "stop")
        #expect(try await client.execute(QueryStatus()).status == .ioError)
        let grown = try await Subprocess.run(["mount", "-o", "remount,size=64m", full])
        try #require(grown.termination.isSuccess)
        _ = try await client.execute(Cont())
        let output = try await guest.console.expect("guest# ", timeout: .seconds(120))
        #expect(output.contains("WROTE-0"))
        _ = try await client.execute(DeviceDel(id: "vdfull"))
        _ = try await client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(60)) { $0.device == "vdfull" }
        _ = try await client.execute(BlockdevDel(nodeName: "ns2"))
    }
}
