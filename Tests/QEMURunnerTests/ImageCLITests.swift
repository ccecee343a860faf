#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QMP
import QMPTestSupport
import Testing

/// `qmpsh img` and `qmpsh doctor` through the built binary (needs qemu-img and QEMU: without them these fail).
@Suite struct ImageCLITests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    @Test func createThenInfo() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-cli")
        let path = directory.file("disk; $(touch x) 'a'.qcow2")
        let created = try await ChildProcess.run([qmpsh, "img", "create", "-f", "qcow2", path, "6G"])
        #expect(created.status == 0, "\(created)")
        #expect(created.standardOutput == "created \(path): qcow2, 6 GiB\n")
        #expect(created.standardError.isEmpty)
        #expect(access(directory.file("x"), F_OK) != 0 && access("x", F_OK) != 0)

        let info = try await ChildProcess.run([qmpsh, "img", "info", path])
        #expect(info.status == 0, "\(info)")
        let lines = info.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "image: \(path)")
        #expect(lines.contains("format: qcow2"))
        #expect(lines.contains("virtual size: 6 GiB (6442450944 bytes)"))
        #expect(lines.contains { $0.hasPrefix("disk size: ") && $0.hasSuffix("KiB") })
        #expect(lines.contains("cluster size: 65536"))
        #expect(!lines.contains { $0.hasPrefix("backing file") })

        let json = try await ChildProcess.run([qmpsh, "img", "info", "--json", path])
        #expect(json.status == 0, "\(json)")
        let value = try JSON(parsing: json.standardOutput)
        #expect(value["virtual-size"] == 6_442_450_944)
        #expect(value["format"] == "qcow2")
        #expect(value["format-specific"]?["type"] == "qcow2")
    }

    @Test func rawAndBacking() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-cli")
        let raw = try await ChildProcess.run([qmpsh, "img", "create", "-f", "raw", directory.file("r.img"), "100K"])
        #expect(raw.standardOutput == "created \(directory.file("r.img")): raw, 100 KiB\n", "\(raw)")

        let base = directory.file("base.qcow2")
        _ = try await ChildProcess.run([qmpsh, "img", "create", base, "512M"])
        let overlay = directory.file("overlay.qcow2")
        let created = try await ChildProcess.run([qmpsh, "img", "create", overlay, "--backing", "base.qcow2"])
        #expect(created.status == 0, "\(created)")
        #expect(created.standardOutput == "created \(overlay): qcow2, 512 MiB, backing file base.qcow2\n")
        let info = try await ChildProcess.run([qmpsh, "img", "info", overlay])
        #expect(info.standardOutput.contains("backing file: base.qcow2 (actual path: \(base)), format qcow2\n"), "\(info)")

        let converted = try await ChildProcess.run([qmpsh, "img", "convert", "-O", "raw", overlay, directory.file("o.raw")])
        #expect(converted.status == 0 && converted.standardOutput.isEmpty, "\(converted)")
        let rawInfo = try await ChildProcess.run([qmpsh, "img", "info", directory.file("o.raw")])
        #expect(rawInfo.standardOutput.contains("format: raw\nvirtual size: 512 MiB (536870912 bytes)\n"), "\(rawInfo)")
    }

    @Test func badUsageExits2AndNamesTheValue() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-cli")
        let path = directory.file("d.qcow2")
        let badSize = try await ChildProcess.run([qmpsh, "img", "create", path, "6X"])
        #expect(badSize.status == 2)
        #expect(badSize.standardError.contains("invalid size '6X'"), "\(badSize)")
        let badFormat = try await ChildProcess.run([qmpsh, "img", "create", "-f", "vhdx", path, "1G"])
        #expect(badFormat.status == 2)
        #expect(badFormat.standardError.contains("vhdx"))
        let noSize = try await ChildProcess.run([qmpsh, "img", "create", path])
        #expect(noSize.status == 2)
        #expect(access(path, F_OK) != 0, "nothing was created")
    }

    @Test func qemuImgFailureExits1WithItsMessage() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-cli")
        let path = directory.file("nonexistent.qcow2")
        let result = try await ChildProcess.run([qmpsh, "img", "info", path])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        let line = result.standardError
        #expect(line.hasPrefix("ToolFailed: qemu-img info failed"), "\(result)")
        #expect(line.contains("Could not open '\(path)'"))
        #expect(line.contains("No such file or directory"))
        #expect(line.split(separator: "\n").count == 1, "one line")
    }

    @Test func doctorQuick() async throws {
        let result = try await ChildProcess.run([qmpsh, "doctor", "--quick"])
        #expect(result.status == 0, "\(result)")
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("ok       host ") == true, "\(result.standardOutput)")
        #expect(lines.contains { $0.hasPrefix("ok       qemu ") && $0.contains("version 7.") })
        #expect(lines.contains { $0.hasPrefix("ok       tcg ") })
        #expect(lines.contains { $0.contains("/dev/kvm") })
        #expect(lines.contains { $0.contains("q35") })
        #expect(lines.last(where: { !$0.isEmpty })?.hasPrefix("usable") == true)
    }

    @Test func doctorJSON() async throws {
        let result = try await ChildProcess.run([qmpsh, "doctor", "--quick", "--json"])
        #expect(result.status == 0, "\(result)")
        let objects = try result.standardOutput.split(separator: "\n").map { try JSON(parsing: String($0)) }
        #expect(objects.dropLast().allSatisfy { $0["topic"]?.stringValue != nil && $0["status"]?.stringValue != nil })
        #expect(objects.contains { $0["topic"] == "machines" && $0["details"]?.arrayValue?.isEmpty == false })
        let summary = try #require(objects.last)
        #expect(summary["usable"] == true)
        #expect(summary["accelerator"]?.stringValue != nil)
    }

    @Test func doctorWithoutQEMUExits1() async throws {
        let result = try await ChildProcess.run([qmpsh, "doctor", "--quick", "--qemu", "/nonexistent/qemu-system-x86_64"])
        #expect(result.status == 1, "\(result)")
        #expect(result.standardOutput.contains("problem  qemu "))
        #expect(result.standardOutput.contains("not usable"))
    }
}
