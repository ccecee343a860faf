import QMP
import QMPGenerated
import QMPSchema
import QMPTestSupport
import QMPWire
import Synchronization
import Testing

/// One generated command, for the tests (the list is generated: Generated/GeneratedCommands.swift).
struct GeneratedCommand: Sendable {
    var name: String
    /// The newest `since` among the sample's members and types: older QEMUs may not take the sample.
    var sampleSince: QEMUVersion
    var isDeprecated: Bool
    /// The names of every argument the generated type knows.
    var members: [String]
    /// The arguments the generated type has as optional.
    var optionalMembers: [String]
    /// The sample's arguments, encoded through the generated type.
    var sample: @Sendable () throws -> JSON
    /// Decodes a reply with the generated reply type and encodes it again; `nil` for commands that reply `{}`.
    var roundTrip: (@Sendable (JSON) throws -> JSON)?
}

/// The first QEMU version newer than everything typed: the code was generated from QEMU 10.0's sources plus
/// `scripts/qapi/newer`, checked against the live schema of QEMU 11.1 (the newest of the matrix).
let newestGenerated = QEMUVersion(major: 11, minor: 2, micro: 0)

/// Decodes `json` as `T` the way the client does, then writes it back.
func roundTrip<T: Decodable & QAPIValue>(_: T.Type, _ json: JSON) throws -> JSON {
    try JSONValueDecoder().decode(T.self, from: json).qapiJSON
}

/// The generated types without QEMU: tolerant decoding, exact round trips, facts as data.
@Suite struct GeneratedTypeTests {
    @Test func everyCommandAndEventOfTheSchemaIsTyped() {
        // 240 of QEMU 10.0's sources, 11 that only older QEMUs have, 5 that QEMU 10.1-11.1 added.
        #expect(QAPI.qmpCommands.count == 256)
        #expect(QAPI.qmpEvents.count == 59)
        for name in ["inject-ghes-v2-error", "qom-list-get", "query-accelerators", "query-firmware-log", "x-accel-stats"] {
            #expect(QAPI.qmpCommands.contains { $0.name == name }, "\(name)")
        }
        #expect(QAPI.qmpEvents.contains { $0.name == "SCLP_CPI_INFO_AVAILABLE" })
        #expect(generatedCommands.count == QAPI.qmpCommands.count)
        #expect(Set(generatedCommands.map(\.name)) == Set(QAPI.qmpCommands.map(\.name)))
        #expect(QAPI.agentCommands.contains { $0.name == "guest-exec" })
        #expect(QAPI.generatedFrom.hasPrefix("10.0"))
    }

    /// Issue 18's reproducer, on the generated type: members newer than 2.12 are optional.
    @Test func machineInfoOfQEMU212Decodes() throws {
        let json = try JSON(parsing: #"[{"name":"pc-i440fx-2.12","is-default":true,"cpu-max":255,"hotpluggable-cpus":true,"alias":"pc"}]"#)
        let machines = try JSONValueDecoder().decode(QAPI.QueryMachines.Response.self, from: json)
        #expect(machines.count == 1)
        #expect(machines[0].name == "pc-i440fx-2.12")
        #expect(machines[0].deprecated == nil)
        #expect(machines[0].numaMemSupported == nil)
        #expect(machines[0].cpuMax == 255)
        #expect(QAPI.MachineInfo.requiredMembers.contains("name"))
        #expect(!QAPI.MachineInfo.requiredMembers.contains("deprecated"))
        // A member every QEMU sends is required: without it, decoding fails and names it.
        #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(QAPI.MachineInfo.self, from: try JSON(parsing: #"{"cpu-max":1}"#))
        }
    }

    @Test func cpuInfoOfQEMU212Decodes() throws {
        let json = try JSON(parsing: #"[{"arch":"x86","cpu-index":0,"qom-path":"/machine/unattached/device[0]","thread-id":42}]"#)
        let cpus = try JSONValueDecoder().decode(QAPI.QueryCPUsFast.Response.self, from: json)
        #expect(cpus[0].target == nil)
        #expect(cpus[0].json["arch"] == "x86")
        #expect(cpus[0].cpuIndex == 0)
    }

    @Test func unknownMembersAndEnumValuesAreKept() throws {
        let text = #"{"status":"a-state-from-the-future","running":true,"singlestep":false,"new-member":{"x":[1,2]}}"#
        let status = try JSONValueDecoder().decode(QAPI.StatusInfo.self, from: try JSON(parsing: text))
        #expect(status.status == QAPI.RunState(rawValue: "a-state-from-the-future"))
        #expect(status.running == true)
        #expect(status.json["new-member"] == (try JSON(parsing: #"{"x":[1,2]}"#)))
        #expect(try JSONValueEncoder().encode(status) == (try JSON(parsing: text)))
        #expect(QAPI.RunState.running.rawValue == "running")
    }

    @Test func alternatesAndNull() throws {
        // BlockdevRefOrNull: a node name, an inline definition, or null.
        let null = try JSONValueDecoder().decode(QAPI.BlockdevRefOrNull.self, from: .null)
        #expect(null.asNull != nil)
        #expect(null.asReference == nil)
        let name = QAPI.BlockdevRefOrNull.reference("node0")
        #expect(name.json == "node0")
        #expect(name.asReference == "node0")
        var add = QAPI.BlockdevAdd(arguments: [:])
        add.driver = .qcow2
        add.nodeName = "d1"
        add.backing = .null(QAPINull())
        add.file = .reference("proto0")
        #expect(try JSONValueEncoder().encode(add)
            == (try JSON(parsing: #"{"driver":"qcow2","node-name":"d1","backing":null,"file":"proto0"}"#)))
    }

    @Test func sinceAndFeaturesAreData() {
        #expect(QAPI.QueryCPUsFast.qapiInfo.since == QEMUVersion(major: 2, minor: 12, micro: 0))
        #expect(QAPI.QueryCPUsFast.qapiInfo.isAvailable(in: QEMUVersion(major: 5, minor: 2, micro: 0)))
        #expect(!QAPI.QueryCPUsFast.qapiInfo.isAvailable(in: QEMUVersion(major: 2, minor: 11, micro: 0)))
        #expect(QAPI.qmpCommands.first { $0.name == "drive-backup" }?.isDeprecated == true)
        #expect(QAPI.qmpCommands.first { $0.name == "x-query-roms" }?.isUnstable == true)
        #expect(QAPI.BlockdevAdd.name == "blockdev-add")
        #expect(QAPI.DeviceDeletedEvent.name == "DEVICE_DELETED")
    }

    /// Every generated declaration finds its facts through its tag (a caseless enum; the facts are a text table
    /// looked up by the tag's name): read through the Swift name, the wire name and kind are the schema's.
    @Test func everyDeclarationFindsItsFactsThroughItsTag() {
        let declarations = generatedDeclarations()
        #expect(declarations.count == 1134)
        for declaration in declarations {
            #expect(declaration.info.name == declaration.name, "\(declaration.name)")
            #expect(declaration.info.kind == declaration.kind, "\(declaration.name)")
        }
        let commands = declarations.filter { $0.kind == .command }.map(\.name)
        #expect(commands == QAPI.qmpCommands.map(\.name) + QAPI.agentCommands.map(\.name))
        #expect(QAPI.MachineInfo.requiredMembers == ["name", "cpu-max", "hotpluggable-cpus"])
        #expect(QAPI.Agent.GuestExecCommand.name == "guest-exec" && QAPI.Agent.GuestExec.qapiInfo.kind == .structure)
    }

    /// Every command's sample encodes through its generated type.
    @Test func everySampleEncodes() throws {
        for command in generatedCommands {
            let arguments = try command.sample()
            #expect(arguments.objectValue != nil, "\(command.name)")
        }
    }
}

/// `QMPClient.execute` for generated commands (no `Codable` pass), against the fake server: what goes on the wire,
/// unknown members kept, and a reply without a member every QEMU sends (which QEMU itself never answers) reported.
@Suite(.timeLimit(.minutes(1))) struct GeneratedExecuteTests {
    @Test func typedExecuteSendsTheArgumentsAndReadsTheReply() async throws {
        let requests = Mutex<[JSONObject]>([])
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            let replies: [JSON] = [
                ["status": "running", "running": true, "new-member": 1],  // query-status, with a future member
                [:],  // stop
                ["running": true],  // query-status without `status`
            ]
            for reply in replies {
                guard let request = try peer.receive() else { throw TestSupportError("client left early") }
                requests.withLock { $0.append(request) }
                try peer.reply(to: request, reply)
            }
            _ = try peer.receive()
        }
        let client = try await QMPClient.connect(to: server.address)
        let status = try await client.execute(QAPI.QueryStatus())
        #expect(status.status == .running)
        #expect(status.running == true)
        #expect(status.json["new-member"] == 1)
        var stop = QAPI.Stop()
        stop.arguments["x-test"] = "kept"  // arguments go out exactly as they are
        _ = try await client.execute(stop)
        await #expect(throws: QMPResponseDecodingError.self) { try await client.execute(QAPI.QueryStatus()) }
        await client.close()
        #expect(await server.finished().isEmpty)
        let sent = requests.withLock { $0 }
        #expect(sent.map { $0["execute"]?.stringValue } == ["query-status", "stop", "query-status"])
        #expect(sent[1]["arguments"] == (try JSON(parsing: #"{"x-test":"kept"}"#)))
    }
}

/// The generated surface against the QEMU under test (`QMPKIT_QEMU`, one of the matrix).
@Suite(.timeLimit(.minutes(3))) struct GeneratedOnQEMUTests {
    /// Every command and event of the live schema is typed: with no exception on every QEMU of the matrix (5.2, 7.2,
    /// 10.0, 11.1); for a QEMU newer than what the code was generated for, at most a handful that it added are not.
    @Test func liveSchemaIsCovered() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let schema = try await QAPISchema.load(from: client)
        let version = client.greeting.version
        await client.close()
        let typed = Set(QAPI.qmpCommands.map(\.name)).union(QAPISchema.commandsIntrospectionMayOmit)
        let untyped = schema.commandNames.filter { !typed.contains($0) }
        let untypedEvents = schema.eventNames.filter { name in !QAPI.qmpEvents.contains { $0.name == name } }
        if version < newestGenerated {
            #expect(untyped.isEmpty, "QEMU \(version): untyped commands \(untyped)")
            #expect(untypedEvents.isEmpty, "QEMU \(version): untyped events \(untypedEvents)")
        } else {
            // What a QEMU newer than 11.1 added is not typed until the next regeneration.
            #expect(untyped.count + untypedEvents.count <= 10, "QEMU \(version): untyped \(untyped) \(untypedEvents)")
        }
    }

    /// The sample of every generated command that this QEMU has (and whose sample's members it has, by their
    /// `since`) passes the live schema's validation.
    @Test func samplesValidateAgainstTheLiveSchema() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let schema = try await QAPISchema.load(from: client)
        let version = client.greeting.version
        await client.close()
        var checked = 0
        for command in generatedCommands where command.sampleSince <= version && schema.command(named: command.name) != nil {
            guard case .object(let arguments) = try command.sample() else { continue }
            let report = schema.validate(command: command.name, arguments: arguments)
            // Shapes that changed across versions: an argument the generated schema has as optional that another
            // QEMU requires (`migrate`'s `uri` before 8.2; `cxl-inject-*`'s `sub-type`, required from 11.1, is
            // optional in the generated type so that older QEMUs take its initializer). Callers set those through
            // their properties.
            let errors = report.errors.filter { error in
                guard error.code == .missingArgument, !error.path.contains(".") else { return true }
                if command.optionalMembers.contains(error.path) { return false }
                return command.members.contains(error.path) || version < newestGenerated
            }
            #expect(errors.isEmpty, "\(command.name) \(arguments.serializedForTest): \(errors)")
            checked += 1
        }
        #expect(checked > (version.major >= 7 ? 150 : 100), "only \(checked) commands checked on QEMU \(version)")
    }

    /// Every `query-*` command that takes no arguments and succeeds on this QEMU: its reply decodes with the
    /// generated reply type and encodes back to the same JSON.
    @Test func queryRepliesRoundTrip() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-M", "pc", "-accel", "tcg", "-smp", "1,maxcpus=2"])
        let client = try await qemu.connect()
        let schema = try await QAPISchema.load(from: client)
        var decoded: [String] = []
        for command in generatedCommands where command.name.hasPrefix("query-") && command.roundTrip != nil {
            guard let entry = schema.command(named: command.name), !entry.isUnstable,
                case .object(let arguments) = try command.sample(), arguments.isEmpty
            else { continue }
            let reply: JSON
            do {
                reply = try await client.execute(command.name, timeout: .seconds(30))
            } catch is QMPError {
                continue  // not available on this machine (query-sev, query-sgx ...)
            }
            do {
                let again = try command.roundTrip!(reply)
                #expect(again == reply, "\(command.name) does not round-trip")
                decoded.append(command.name)
            } catch {
                Issue.record("\(command.name) on QEMU \(client.greeting.version): \(error)")
            }
        }
        await client.close()
        #expect(decoded.count >= 30, "\(decoded)")
        #expect(decoded.contains("query-machines") && decoded.contains("query-pci") && decoded.contains("query-cpus-fast"))
    }
}

extension JSONObject {
    var serializedForTest: String { JSON.object(self).serialized() }
}
