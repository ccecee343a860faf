import QMP
import QMPTestSupport
import Testing

/// `qmpsh schema` and the validation in `qmpsh exec`, through the built binary against a real QEMU.
@Suite(.timeLimit(.minutes(2))) struct SchemaCLITests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    @Test func execRefusesAMistakeWithASuggestionAndSendsNothing() async throws {
        let qemu = try QEMUProcess.launch()
        let typo = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "blockdev-change-medium", "id=cdrom0", "filname=/tmp/b.iso"])
        #expect(typo.status == 2, "\(typo)")
        #expect(typo.standardOutput.isEmpty)
        #expect(typo.standardError
            == "ValidationError: unknown argument 'filname' for blockdev-change-medium — did you mean 'filename'?\n")
        // Had it been sent, QEMU would have answered CommandNotFound (exit 1); --no-validate shows that.
        let command = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "query-stauts"])
        #expect(command.status == 2, "\(command)")
        #expect(command.standardError == "ValidationError: unknown command 'query-stauts' — did you mean 'query-status'?\n")
        let unchecked = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "query-stauts", "--no-validate"])
        #expect(unchecked.status == 1, "\(unchecked)")
        #expect(unchecked.standardError == "CommandNotFound: The command query-stauts has not been found\n")
        let type = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "device_del", "id=5"])
        #expect(type.status == 2)
        #expect(type.standardError.hasPrefix("ValidationError: argument 'id' of device_del must be a string"))
    }

    @Test func execChecksDeviceAddPropertiesWithTheMonitor() async throws {
        let qemu = try QEMUProcess.launch(arguments: ["-M", "pc", "-accel", "tcg", "-blockdev", "driver=null-co,node-name=null0"])
        let result = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "device_add", "driver=virtio-blk-pci", "drve=null0", "id=vd1"])
        #expect(result.status == 2, "\(result)")
        #expect(result.standardError
            == "ValidationError: unknown property 'drve' for device_add driver 'virtio-blk-pci' — did you mean 'drive'?\n")
        let good = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "device_add", "driver=virtio-blk-pci", "drive=null0", "id=vd1"])
        #expect(good.status == 0, "\(good)")
        #expect(good.standardOutput == "{}\n")
        #expect(good.standardError.isEmpty)
    }

    @Test func execWarnsAboutUnstableUseAndGoesOn() async throws {
        let qemu = try QEMUProcess.launch()
        guard try await QEMUUnderTest.version() >= QEMUVersion(major: 6, minor: 2, micro: 0) else {
            // Before 6.2 there is no x-query-roms (and no `unstable` feature): it is refused before it is sent.
            let result = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "x-query-roms"])
            #expect(result.status == 2, "\(result)")
            #expect(result.standardError.hasPrefix("ValidationError: unknown command 'x-query-roms'"))
            return
        }
        let result = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "x-query-roms"])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardError == "Warning: command 'x-query-roms' is unstable\n")
        #expect(result.standardOutput.hasPrefix("{\"human-readable-text\":"))
        let status = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "query-status"])
        #expect(status.status == 0 && status.standardError.isEmpty, "\(status)")
    }

    @Test func schemaPrintsSignatures() async throws {
        let qemu = try QEMUProcess.launch()
        let medium = try await ChildProcess.run([qmpsh, "schema", qemu.monitorPath, "blockdev-change-medium"])
        #expect(medium.status == 0, "\(medium)")
        #expect(medium.standardOutput == (try await QEMUUnderTest.changeMediumSignature()) + "\n")
        let event = try await ChildProcess.run([qmpsh, "schema", qemu.monitorPath, "DEVICE_DELETED"])
        #expect(event.standardOutput == "DEVICE_DELETED device:str? path:str\n")
        let list = try await ChildProcess.run([qmpsh, "schema", qemu.monitorPath])
        let names = list.standardOutput.split(separator: "\n")
        #expect(names.contains("query-status") && names.contains("device_add") && names.count > 150)
        let events = try await ChildProcess.run([qmpsh, "schema", qemu.monitorPath, "--events"])
        #expect(events.standardOutput.split(separator: "\n").contains("DEVICE_TRAY_MOVED"))
        let unknown = try await ChildProcess.run([qmpsh, "schema", qemu.monitorPath, "blockdev-chnage-medium"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError
            == "ValidationError: unknown command or event 'blockdev-chnage-medium' — did you mean 'blockdev-change-medium'?\n")
    }

    @Test func schemaPrintsJSONForMachines() async throws {
        let qemu = try QEMUProcess.launch()
        let result = try await ChildProcess.run([qmpsh, "schema", qemu.monitorPath, "blockdev-change-medium", "--json"])
        #expect(result.status == 0, "\(result)")
        let description = try JSON(parsing: result.standardOutput)
        #expect(description["name"] == "blockdev-change-medium")
        // By name: under `-compat deprecated-output=hide` the deprecated `device` argument is not listed.
        let filename = description["arguments"]?.arrayValue?.first { $0["name"] == "filename" }
        #expect(filename == ["name": "filename", "type": "str", "optional": false])
        let all = try await ChildProcess.run([qmpsh, "schema", qemu.monitorPath, "--json"])
        let list = try JSON(parsing: all.standardOutput)
        #expect(list.arrayValue?.contains { $0["name"] == "device_add" } == true)
    }
}
