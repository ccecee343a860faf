import Testing
import QMP
import QMPTestSupport
import QMPWire

/// The job pitfalls that real QEMU cannot be made to show on demand (races), played by the fake server.
@Suite struct JobProtocolTests {
    /// Answers `query-jobs` with `entries` for a request already received.
    static func jobs(_ peer: FakeQMPPeer, _ request: JSONObject, _ entries: [JSON]) throws {
        guard request["execute"] == "query-jobs" else { throw TestSupportError("expected query-jobs, got \(JSON.object(request))") }
        try peer.reply(to: request, .array(entries))
    }

    static func entry(_ status: String, current: Int64 = 0, total: Int64 = 0, error: String? = nil) -> JSON {
        var object: JSONObject = ["id": "m", "type": "mirror", "status": .string(status), "current-progress": .int(current), "total-progress": .int(total)]
        if let error { object["error"] = .string(error) }
        return .object(object)
    }

    /// The job concludes between the `ready` check and `job-complete`: the refusal names the new state.
    @Test func completeRacingWithTheEnd() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            try Self.jobs(peer, try peer.receive()!, [Self.entry("ready", current: 10, total: 10)])
            let complete = try peer.receive()!
            try peer.sendEvent("JOB_STATUS_CHANGE", data: ["id": "m", "status": "concluded"])
            try peer.replyError(to: complete, errorClass: "GenericError", description: "Job 'm' in state 'concluded' cannot accept command verb 'complete'")
            try Self.jobs(peer, try peer.receive()!, [Self.entry("concluded", current: 10, total: 10)])
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let job = Job.attach(id: "m", on: client)
        await #expect {
            try await job.complete()
        } throws: { error in
            (error as? JobStateError).map { $0.status == .concluded && $0.verb == .complete } ?? false
        }
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    /// `total` is 0 right after the start, the job stops reporting at 99% and then vanishes (auto-dismissed):
    /// the progress says "unknown" first and ends at 100%.
    @Test func progressFromUnknownToVanished() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            try Self.jobs(peer, try peer.receive()!, [Self.entry("running")])
            let second = try peer.receive()!
            try Self.jobs(peer, second, [Self.entry("running", current: 99, total: 100)])
            try peer.sendEvent("BLOCK_JOB_COMPLETED", data: ["device": "m", "type": "mirror", "offset": 99, "len": 100, "speed": 0])
            try peer.sendEvent("JOB_STATUS_CHANGE", data: ["id": "m", "status": "null"])
            try Self.jobs(peer, try peer.receive()!, [])
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let job = Job.attach(id: "m", on: client)
        var reports: [JobProgress] = []
        for try await progress in job.progress(every: .milliseconds(100)) { reports.append(progress) }
        #expect(reports.count == 3)
        #expect(reports.first?.fraction == nil)
        #expect(reports.first?.estimatedTimeLeft == nil)
        #expect(reports.dropFirst().first?.fraction == 0.99)
        #expect(reports.last?.status == .null)
        #expect(reports.last?.fraction == 1)
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    /// A failed job that QEMU already dismissed: the error text comes from BLOCK_JOB_COMPLETED.
    @Test func failureTextAfterAutoDismiss() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            try peer.sendEvent("BLOCK_JOB_COMPLETED", data: ["device": "m", "type": "backup", "offset": 5, "len": 100, "speed": 0, "error": "No space left on device"])
            try peer.sendEvent("JOB_STATUS_CHANGE", data: ["id": "m", "status": "null"])
            try Self.jobs(peer, try peer.receive()!, [])
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let job = Job.attach(id: "m", on: client, since: EventCursor(sequence: 0))
        await #expect {
            try await job.waitForConclusion(timeout: .seconds(10))
        } throws: { error in
            (error as? JobFailedError)?.message == "No space left on device"
        }
        await client.close()
        #expect(await server.finished().isEmpty)
    }

    @Test func verbTableMatchesQEMU() {
        #expect(JobVerb.complete.allowedStatuses == [.ready])
        #expect(JobVerb.finalize.allowedStatuses == [.pending])
        #expect(JobVerb.dismiss.allowedStatuses == [.concluded])
        #expect(JobVerb.cancel.allowedStatuses.contains(.pending) && !JobVerb.cancel.allowedStatuses.contains(.concluded))
        #expect(!JobVerb.pause.allowedStatuses.contains(.waiting))
    }

    @Test func jobCommandArguments() throws {
        var backup = BlockdevBackup(jobID: "b", device: "d0", target: "t0", sync: .incremental, bitmap: "bm", onTargetError: .stop)
        backup.autoDismiss = false
        #expect(try JSONValueEncoder().encode(backup) == [
            "job-id": "b", "device": "d0", "target": "t0", "sync": "incremental", "bitmap": "bm", "on-target-error": "stop",
            "auto-dismiss": false,
        ])
        #expect(try JSONValueEncoder().encode(SnapshotSave(jobID: "s", tag: "t", vmstate: "d0", devices: ["d0", "d1"])) == [
            "job-id": "s", "tag": "t", "vmstate": "d0", "devices": ["d0", "d1"],
        ])
        let transaction = Transaction([
            .blockDirtyBitmapAdd(BlockDirtyBitmapAdd(node: "d0", name: "bm")),
            .blockdevSnapshotSync(BlockdevSnapshotSync(device: "d1", snapshotFile: "/s.qcow2", format: "qcow2")),
        ])
        #expect(try JSONValueEncoder().encode(transaction) == [
            "actions": [
                ["type": "block-dirty-bitmap-add", "data": ["node": "d0", "name": "bm"]],
                ["type": "blockdev-snapshot-sync", "data": ["device": "d1", "snapshot-file": "/s.qcow2", "format": "qcow2"]],
            ],
        ])
        #expect(try JSONValueEncoder().encode(MigrateSetCapabilities(["postcopy-ram": true, "events": true])) == [
            "capabilities": [["capability": "events", "state": true], ["capability": "postcopy-ram", "state": true]],
        ])
    }
}
