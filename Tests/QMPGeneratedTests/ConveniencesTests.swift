import QMP
import QMPGenerated
import QMPSchema
import QMPTestSupport
import QMPWire
import Testing

/// The wire form of a hand-written command: what it sends as arguments.
private func wire<Command: QMPCommand>(_ command: Command) throws -> JSON {
    try JSONValueEncoder().encode(command)
}

/// A generated convenience sends exactly what its hand-written twin sends (no QEMU needed).
@Suite struct ConveniencesTests {
    @Test func blockdevAddNodesAreTheHandWrittenOnes() throws {
        for readOnly in [false, true] {
            let pairs: [(QAPI.BlockdevAdd, BlockdevAdd)] = [
                (QAPI.BlockdevAdd.file(nodeName: "f0", filename: "/i/a.img", readOnly: readOnly),
                 BlockdevAdd.file(nodeName: "f0", filename: "/i/a.img", readOnly: readOnly)),
                (QAPI.BlockdevAdd.qcow2File(nodeName: "d0", filename: "/i/a.qcow2", readOnly: readOnly),
                 BlockdevAdd.qcow2File(nodeName: "d0", filename: "/i/a.qcow2", readOnly: readOnly)),
                (QAPI.BlockdevAdd.rawFile(nodeName: "r0", filename: "/i/a.iso", readOnly: readOnly),
                 BlockdevAdd.rawFile(nodeName: "r0", filename: "/i/a.iso", readOnly: readOnly)),
                (QAPI.BlockdevAdd.qcow2(nodeName: "q0", fileNodeName: "f0", readOnly: readOnly),
                 BlockdevAdd.qcow2(nodeName: "q0", fileNodeName: "f0", readOnly: readOnly)),
            ]
            for (generated, handWritten) in pairs {
                #expect(try JSONValueEncoder().encode(generated) == (try wire(handWritten)))
                #expect(BlockdevAdd(generated) == handWritten)
            }
        }
        let qcow2 = QAPI.BlockdevAdd.qcow2File(nodeName: "d0", filename: "/i/a.qcow2")
        #expect(qcow2.driver == .qcow2 && qcow2.nodeName == "d0" && qcow2.readOnly == nil)
        #expect(qcow2.file?.json == ["driver": "file", "filename": "/i/a.qcow2"])
    }

    @Test func objectAddTakesTheFormOfEachVersion() throws {
        let v52 = QEMUVersion(major: 5, minor: 2, micro: 0)
        let v72 = QEMUVersion(major: 7, minor: 2, micro: 0)
        let pairs: [(QAPI.ObjectAdd, ObjectAdd)] = [
            (QAPI.ObjectAdd.memoryBackendRAM(id: "m0", size: 1 << 20),
             ObjectAdd.memoryBackendRAM(id: "m0", size: 1 << 20)),
            (QAPI.ObjectAdd.secret(id: "s0", data: "pw"), ObjectAdd.secret(id: "s0", data: "pw")),
            (QAPI.ObjectAdd.iothread(id: "io0"), ObjectAdd.iothread(id: "io0")),
        ]
        for (generated, handWritten) in pairs {
            #expect(try JSONValueEncoder().encode(generated) == (try wire(handWritten)))
            #expect(generated.arguments(for: v52) == handWritten.arguments(for: v52))
            #expect(generated.arguments(for: v72) == handWritten.arguments(for: v72))
            #expect(ObjectAdd(generated) == handWritten)
        }
        #expect(QAPI.ObjectAdd.memoryBackendRAM(id: "m0", size: 1 << 20).arguments(for: v52)
            == ["qom-type": "memory-backend-ram", "id": "m0", "props": ["size": 1_048_576]])
        #expect(QAPI.ObjectAdd.flatFormSince == ObjectAdd.flatFormSince)
        // Without a string qom-type and id there is nothing to move: the arguments go as they are.
        let partial = QAPI.ObjectAdd(arguments: ["size": 1])
        #expect(ObjectAdd(partial) == nil)
        #expect(partial.arguments(for: v52) == ["size": 1])
    }

    @Test func deviceAddCPUIsTheHandWrittenOnePlusUnknownTopology() throws {
        let slot = HotpluggableCPU(
            type: "qemu64-x86_64-cpu", props: CPUInstanceProperties(socketID: 1, dieID: 0, coreID: 0, threadID: 0))
        #expect(try JSONValueEncoder().encode(QAPI.DeviceAdd.cpu(slot, id: "cpu1"))
            == (try wire(DeviceAdd.cpu(slot, id: "cpu1"))))
        // The generated slot, as QEMU lists it: the same arguments.
        let listed = try QAPI.HotpluggableCPU(converting: slot)
        #expect(listed.isFree && listed.props?.socketID == 1)
        #expect(try QAPI.DeviceAdd.cpu(listed, id: "cpu1").arguments == QAPI.DeviceAdd.cpu(slot, id: "cpu1").arguments)
        // A topology member set on the generated slot (x86 `module-id`, QEMU 9.1) is sent.
        var withModule = listed
        withModule.props?.moduleID = 0
        let command = try QAPI.DeviceAdd.cpu(withModule, id: "cpu1")
        #expect(command.arguments["module-id"] == 0)
        var withoutModule = command.arguments
        withoutModule["module-id"] = nil
        #expect(withoutModule == QAPI.DeviceAdd.cpu(slot, id: "cpu1").arguments)
        // A slot without `vcpus-count` (which every QEMU sends) is reported.
        #expect(throws: DecodingError.self) {
            try QAPI.DeviceAdd.cpu(QAPI.HotpluggableCPU(unchecked: ["type": "x", "props": [:]]), id: "c")
        }
    }

    @Test func netdevSendKeyAndKeysAreTheHandWrittenOnes() throws {
        for forwards in [[], ["tcp::2222-:22", "udp::5353-:53"]] {
            #expect(try JSONValueEncoder().encode(QAPI.NetdevAdd.user(id: "n0", hostForwards: forwards))
                == (try wire(NetdevAdd.user(id: "n0", hostForwards: forwards))))
        }
        for (combination, hold) in [("ctrl-alt-delete", nil), ("ret", 50)] as [(String, Int?)] {
            #expect(try JSONValueEncoder().encode(QAPI.SendKey.combination(combination, holdTime: hold))
                == (try wire(SendKey(combination: combination, holdTime: hold))))
        }
        #expect(QAPI.KeyValue.qcode(.ctrl).qapiJSON == (try JSONValueEncoder().encode(KeyValue.qcode(.ctrl))))
        #expect(QAPI.KeyValue.number(0x1d).qapiJSON == (try JSONValueEncoder().encode(KeyValue.number(0x1d))))
        #expect(QAPI.KeyValue.qcode(QAPI.QKeyCode.f(5)).type == .qcode)
        #expect(QAPI.QKeyCode.f(12) == .f12 && QAPI.QKeyCode.f(12).rawValue == QKeyCode.f(12).rawValue)
    }

    @Test func bridgeTakesOnlyACommandOfTheSameName() throws {
        let eject = try QAPI.Eject(Eject(id: "cd0", force: true))
        #expect(JSON.object(eject.arguments) == (try wire(Eject(id: "cd0", force: true))))
        #expect(eject.id == "cd0" && eject.force == true)
        let backup = try QAPI.BlockdevBackupCommand(BlockdevBackup(jobID: "b0", device: "d0", target: "t0", sync: .top))
        #expect(backup.jobID == "b0" && backup.sync == .top)
        #expect(throws: QAPIBridgeError.self) { try QAPI.Eject(Stop()) }
        let error = #expect(throws: QAPIBridgeError.self) { try QAPI.BlockdevAdd(DeviceAdd(driver: "virtio-blk-pci")) }
        #expect(error?.description.contains("'device_add' is not 'blockdev-add'") == true)
    }

    @Test func valuesConvertBothWays() throws {
        let handWritten = JobInfo(id: "j0", type: .backup, status: .running, currentProgress: 5, totalProgress: 10)
        let info = try QAPI.JobInfo(converting: handWritten)
        #expect(info.id == "j0" && info.status == .running && info.currentProgress == 5)
        #expect(try info.converted(to: JobInfo.self).totalProgress == 10)
        // A hand-written value without a member the generated type requires does not convert.
        let error = #expect(throws: QAPIBridgeError.self) {
            try QAPI.MachineInfo(converting: JSON.object(["name": "pc", "secret": "pw"]))
        }
        #expect(error?.description.contains("cpu-max, hotpluggable-cpus") == true)
        #expect(error?.description.contains("pw") == false)
    }

    @Test func replyHelpersAreTheHandWrittenOnes() throws {
        for status in ["undefined", "created", "running", "ready", "concluded", "null", "a-future-one"] {
            #expect(QAPI.JobStatus(rawValue: status).isFinal == JobStatus(rawValue: status).isFinal, "\(status)")
        }
        for verb in JobVerb.allCases {
            #expect(QAPI.JobVerb(rawValue: verb.rawValue).allowedStatuses
                == Set(verb.allowedStatuses.map { QAPI.JobStatus(rawValue: $0.rawValue) }))
        }
        #expect(QAPI.JobVerb(rawValue: "a-future-verb").allowedStatuses == nil)
        for status in ["active", "completed", "failed", "cancelled", "postcopy-active"] {
            #expect(QAPI.MigrationStatus(rawValue: status).isFinal == MigrationStatus(rawValue: status).isFinal)
        }
        let version = try JSON(parsing: #"{"qemu":{"major":7,"minor":2,"micro":22},"package":" Debian 1:7.2 "}"#)
        #expect(try JSONValueDecoder().decode(QAPI.VersionInfo.self, from: version).version
            == (try JSONValueDecoder().decode(VersionInfo.self, from: version)).version)
        let migration = try JSON(parsing: #"{"status":"active","ram":{"transferred":100,"remaining":300,"total":400,"mbps":8}}"#)
        #expect(try MigrationProgress(JSONValueDecoder().decode(QAPI.MigrationInfo.self, from: migration))
            == MigrationProgress(try JSONValueDecoder().decode(MigrationInfo.self, from: migration)))
    }
}

// In `GeneratedOnQEMUTests`, so that scripts/test-qemu-matrix.sh runs it on every QEMU of the matrix (5.2, 7.2, 10.0,
// 11.1, and under `-compat deprecated-input=reject`).
extension GeneratedOnQEMUTests {
    /// The conveniences against the QEMU under test (`QMPKIT_QEMU`): each one's arguments pass the live schema's
    /// validation, and QEMU takes each one (object-add in the form of its version, jobs started through `Job`).
    @Test func qemuTakesEveryConvenience() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-conv")
        defer { directory.remove() }
        let image = directory.file("a.qcow2")
        let raw = directory.file("a.raw")
        let copy = directory.file("copy.raw")
        for (format, path) in [("qcow2", image), ("raw", raw), ("raw", copy)] {
            let arguments = ["qemu-img", "create", "-q", "-f", format, path, "4M"]
            let result = try await ChildProcess.run(arguments)
            try #require(result.status == 0, "\(result)")
        }
        let qemu = try QEMUProcess.launch(
            arguments: ["-machine", "pc", "-accel", "tcg", "-m", "128", "-smp", "1,maxcpus=2", "-S"])
        let client = try await qemu.connect()
        let schema = try await QAPISchema.load(from: client)
        let version = client.greeting.version

        func check<Tag: QAPICommandTag>(
            _ command: QAPICommandValue<Tag>, arguments: JSONObject? = nil
        ) -> Bool {
            let report = schema.validate(command: QAPICommandValue<Tag>.name, arguments: arguments ?? command.arguments)
            #expect(report.errors.isEmpty, "\(QAPICommandValue<Tag>.name) on QEMU \(version): \(report.errors)")
            return report.errors.isEmpty
        }

        // blockdev-add: each node kind, and the qcow2 over a file node of its own.
        let nodes: [QAPI.BlockdevAdd] = [
            QAPI.BlockdevAdd.qcow2File(nodeName: "q0", filename: image, readOnly: true),
            QAPI.BlockdevAdd.rawFile(nodeName: "r0", filename: raw),
            QAPI.BlockdevAdd.rawFile(nodeName: "r1", filename: copy),
            QAPI.BlockdevAdd.file(nodeName: "f0", filename: image, readOnly: true),
            QAPI.BlockdevAdd.qcow2(nodeName: "q1", fileNodeName: "f0", readOnly: true),
        ]
        for node in nodes where check(node) { try await client.execute(node) }
        let named = try await client.execute(QAPI.QueryNamedBlockNodes())
        #expect(Set(["q0", "r0", "r1", "f0", "q1"]).isSubset(of: named.compactMap(\.nodeName)))

        // object-add: validated and sent in the form of this QEMU's version.
        let objects: [QAPI.ObjectAdd] = [
            QAPI.ObjectAdd.memoryBackendRAM(id: "m0", size: 1 << 20), QAPI.ObjectAdd.secret(id: "s0", data: "pw"),
            QAPI.ObjectAdd.iothread(id: "io0"),
        ]
        for object in objects where check(object, arguments: object.arguments(for: version)) {
            try await client.execute(object)
        }
        let listed = try await client.execute(QAPI.QOMList(path: "/objects"))
        #expect(Set(["m0", "s0", "io0"]).isSubset(of: listed.compactMap(\.name)))

        // netdev_add, send-key, and device_add of a CPU into the free slot QEMU lists.
        let netdev = QAPI.NetdevAdd.user(id: "n0", hostForwards: ["tcp:127.0.0.1:0-:22"])
        if check(netdev) { try await client.execute(netdev) }
        let keys = QAPI.SendKey.combination("shift-a", holdTime: 10)
        if check(keys) { try await client.execute(keys) }
        let slots = try await client.execute(QAPI.QueryHotpluggableCPUs())
        let free = try #require(slots.first { $0.isFree })
        let cpu = try QAPI.DeviceAdd.cpu(free, id: "cpu1")
        let twin = try wire(DeviceAdd.cpu(try free.converted(to: HotpluggableCPU.self), id: "cpu1"))
        for (key, value) in twin.objectValue ?? [:] { #expect(cpu.arguments[key] == value, "\(key)") }
        #expect(cpu.arguments["driver"]?.stringValue == free.type && cpu.arguments["socket-id"] != nil)
        if check(cpu) { try await client.execute(cpu) }
        let after = try await client.execute(QAPI.QueryHotpluggableCPUs())
        #expect(after.filter(\.isFree).count == slots.filter(\.isFree).count - 1)

        // Jobs: a generated job command starts a followed Job. blockdev-create takes no auto options; a backup
        // does, and is kept concluded (auto-dismiss false reached QEMU) until Job dismisses it.
        let created = directory.file("created.img")
        let create = QAPI.BlockdevCreate(jobID: "c0", options: QAPI.BlockdevCreateOptions(unchecked: [
            "driver": "file", "filename": .string(created), "size": 1_048_576,
        ]))
        if check(create) {
            let job = try await Job.start(create, on: client)
            #expect(job.id == "c0" && job.type == .create)
            try await job.waitForConclusion(timeout: .seconds(60))
        }
        var backup = QAPI.BlockdevBackupCommand(device: "r0", sync: .full, target: "r1")
        backup.jobID = "b0"
        var options = Job.Options()
        options.keepConcluded = true
        if check(backup) {
            let job = try await Job.start(backup, on: client, options: options)
            #expect(job.type == .backup)
            try await job.waitForConclusion(timeout: .seconds(60))
            let jobs = try await client.execute(QAPI.QueryJobs())
            #expect(jobs.first { $0.id == "b0" }?.status?.isFinal == true, "\(jobs)")
            try await job.dismiss()
        }
        #expect(try await client.execute(QAPI.QueryJobs()).isEmpty)
        await client.close()
        if version.major >= 10 { try await plugCPUWithModuleTopology() }
    }

    /// With `-smp ...,modules=2`, QEMU 10.0 and 11.1 list x86 CPU slots with a `module-id` and refuse a CPU
    /// without it ("CPU module-id is not set"): both `QAPI.DeviceAdd.cpu` and the hand-written `DeviceAdd.cpu`
    /// send every member of the slot's topology.
    func plugCPUWithModuleTopology() async throws {
        let qemu = try QEMUProcess.launch(arguments: [
            "-machine", "pc", "-accel", "tcg", "-m", "128", "-smp", "1,maxcpus=4,sockets=1,dies=1,modules=2,cores=2",
            "-S",
        ])
        let client = try await qemu.connect()
        let slots = try await client.execute(QAPI.QueryHotpluggableCPUs())
        let free = try #require(slots.first { $0.isFree && $0.props?.moduleID != nil }, "\(slots)")
        let cpu = try QAPI.DeviceAdd.cpu(free, id: "cpu1")
        #expect(cpu.arguments["module-id"] == free.props?.json["module-id"])
        try await client.execute(cpu)
        let after = try await client.execute(QAPI.QueryHotpluggableCPUs())
        #expect(after.filter(\.isFree).count == slots.filter(\.isFree).count - 1)
        // The hand-written command plugs such a slot too: it keeps every member of the slot's topology.
        let handWritten = try #require(try await client.execute(QueryHotpluggableCPUs()).first { $0.isFree })
        #expect(handWritten.props.moduleID != nil)
        _ = try await client.execute(DeviceAdd.cpu(handWritten, id: "cpu2"))
        let last = try await client.execute(QAPI.QueryHotpluggableCPUs())
        #expect(last.filter(\.isFree).count == slots.filter(\.isFree).count - 2)
        await client.close()
    }
}
