#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMP
import QMPSchema
import QMPTestSupport
import QMPWire

/// The QEMU these tests run: `$QMPKIT_QEMU` (one of the matrix's wrappers, see scripts/test-qemu-matrix.sh), else
/// the system's `qemu-system-x86_64`.
enum QEMUUnderTest {
    /// The version `QEMU --version` prints; throws when the binary cannot be run (a test told to use a QEMU that is
    /// not there fails, it never skips).
    static func version() async throws -> QEMUVersion {
        let binary = QEMUProcess.defaultBinary
        let result = try await ChildProcess.run([binary, "--version"], timeout: .seconds(30))
        guard result.status == 0, let version = parse(result.standardOutput) else {
            throw TestSupportError("cannot run \(binary) --version (QMPKIT_QEMU=\(environment("QMPKIT_QEMU") ?? "unset")): \(result)")
        }
        return version
    }

    /// `QEMU emulator version 10.0.2 (Debian ...)` → 10.0.2.
    static func parse(_ text: String) -> QEMUVersion? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let index = words.firstIndex(of: "version"), index + 1 < words.count else { return nil }
        let numbers = words[index + 1].prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        return QEMUVersion(major: numbers[0], minor: numbers[1], micro: numbers.count > 2 ? numbers[2] : 0)
    }

    /// `blockdev-change-medium`'s signature on this QEMU: `force` is not in 5.2's schema.
    static func changeMediumSignature() async throws -> String {
        let force = try await version() >= QEMUVersion(major: 7, minor: 0, micro: 0) ? "force:bool? " : ""
        return "blockdev-change-medium id:str? filename:str format:str? \(force)read-only-mode:{retain,read-only,read-write}?"
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// What the multi-version matrix proves on each QEMU (the rest of the integration, schema and guest suites run
/// unchanged against it).
@Suite(.timeLimit(.minutes(2))) struct QEMUMatrixTests {
    /// `QMPKIT_QEMU_EXPECT` (set by scripts/test-qemu-matrix.sh) names the version the run is meant to test: the
    /// binary must be that one, so a wrong or missing wrapper fails the run instead of testing the wrong QEMU.
    @Test func runsTheQEMUItWasToldToUse() async throws {
        let version = try await QEMUUnderTest.version()
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        #expect(client.greeting.version == QEMUVersion(
            major: version.major, minor: version.minor, micro: version.micro, package: client.greeting.version.package))
        if let expected = QEMUUnderTest.environment("QMPKIT_QEMU_EXPECT"), !expected.isEmpty {
            #expect("\(version.major).\(version.minor)" == expected, "QMPKIT_QEMU runs QEMU \(version), not \(expected)")
        }
        await client.close()
    }

    /// The typed object-add sends the form this QEMU takes (`props` before 6.0, flat after) and QEMU creates it.
    @Test func typedObjectAddOnThisQEMU() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "none"])
        let client = try await qemu.connect()
        _ = try await client.execute(ObjectAdd.memoryBackendRAM(id: "mem1", size: 16 << 20))
        let size = try await client.execute("qom-get", arguments: ["path": "/objects/mem1", "property": "size"])
        #expect(size.intValue == 16 << 20)
        _ = try await client.execute(ObjectAdd(qomType: "iothread", id: "io1"))
        let objects = try await client.execute("qom-list", arguments: ["path": "/objects"])
        let names = objects.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("mem1") && names.contains("io1"), "\(names)")
        await client.close()
    }

    /// The typed replies decode on this QEMU (the defects of issue 18 were replies of older versions).
    @Test func typedRepliesDecode() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-M", "pc", "-accel", "tcg", "-smp", "1,maxcpus=2"])
        let client = try await qemu.connect()
        let machines = try await client.execute(QueryMachines())
        #expect(machines.contains { $0.alias == "pc" })
        let cpus = try await client.execute(QueryCPUsFast())
        #expect(cpus.count == 1)
        #expect(cpus.first?.target != nil || cpus.first?.arch != nil)
        let buses = try await client.execute(QueryPCI())
        #expect(!(buses.first?.devices.isEmpty ?? true))
        await client.close()
    }

    /// On QEMU 8.2 and later, `migrate` takes `channels` (a union whose `socket` variant is a union): validation
    /// against the live schema follows both tags.
    @Test func nestedUnionsValidateAgainstTheLiveSchema() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let schema = try await QAPISchema.load(from: client)
        await client.close()
        guard client.greeting.version >= QEMUVersion(major: 8, minor: 2, micro: 0) else {
            #expect(schema.command(named: "migrate")?.name == "migrate")
            return
        }
        func channels(_ addr: String) throws -> JSONObject {
            try KeyValueArguments.parse([#"channels=[{"channel-type":"main","addr":\#(addr)}]"#])
        }
        let valid = try channels(#"{"transport":"socket","type":"inet","host":"127.0.0.1","port":"4444"}"#)
        #expect(schema.validate(command: "migrate", arguments: valid).isValid,
                "\(schema.validate(command: "migrate", arguments: valid).errors)")
        let missing = schema.validate(
            command: "migrate", arguments: try channels(#"{"transport":"socket","type":"inet","port":"4444"}"#))
        #expect(missing.errors.map(\.path) == ["channels[0].addr.host"])
        let typo = schema.validate(command: "migrate", arguments: try channels(
            #"{"transport":"socket","type":"inet","hots":"127.0.0.1","port":"4444"}"#))
        #expect(typo.errors.first { $0.code == .unknownArgument }?.suggestion == "channels[0].addr.host")
    }
}
