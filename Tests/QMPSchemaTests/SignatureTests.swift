import QMP
import QMPSchema
import Testing

/// Readable signatures and the JSON descriptions of `qmpsh schema`.
@Suite struct SignatureTests {
    @Test func commandSignature() {
        #expect(qemu72.signature(ofCommand: "blockdev-change-medium")
            == "blockdev-change-medium id:str? filename:str format:str? force:bool? read-only-mode:{retain,read-only,read-write}?")
        #expect(qemu72.signature(ofCommand: "blockdev-change-medium", includeDeprecated: true)?
            .hasPrefix("blockdev-change-medium device:str? id:str?") == true)
        #expect(qemu72.signature(ofCommand: "device_del") == "device_del id:str")
        #expect(qemu72.signature(ofCommand: "no-such-command") == nil)
    }

    @Test func replyTypesAreShown() throws {
        let status = try #require(qemu72.signature(ofCommand: "query-status"))
        #expect(status.hasPrefix("query-status -> {running:bool,singlestep:bool,status:{debug,inmigrate,"))
        #expect(qemu72.signature(ofCommand: "query-block") == "query-block -> [query-block.return]")
        #expect(qemu72.signature(ofCommand: "human-monitor-command") == "human-monitor-command command-line:str cpu-index:int? -> str")
    }

    @Test func unionsGetALinePerVariant() throws {
        let lines = try #require(qemu72.signature(ofCommand: "blockdev-add")).split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("blockdev-add driver:{blkdebug,blklogwrites,"))
        #expect(lines[0].contains(" node-name:str? "))
        #expect(lines[0].contains(" cache:{direct:bool?,no-flush:bool?}? "))
        #expect(lines.contains { $0.hasPrefix("  driver=file|host_cdrom|host_device: filename:str ") })
        #expect(lines.contains { $0.hasPrefix("  driver=qcow2: ") && $0.contains(" file:blockdev-add|str ") })
        // Variants without members of their own (e.g. driver=null-co has some, snapshot-access none beyond `file`).
        #expect(!lines.contains { $0.hasPrefix("  driver=") && $0.hasSuffix(": ") })
    }

    @Test func eventSignature() {
        #expect(qemu72.signature(ofEvent: "DEVICE_DELETED") == "DEVICE_DELETED device:str? path:str")
        #expect(qemu72.signature(ofEvent: "STOP") == "STOP")
        #expect(qemu72.signature(ofEvent: "NO_SUCH_EVENT") == nil)
    }

    @Test func jsonDescription() throws {
        let description = try #require(qemu72.description(ofCommand: "blockdev-change-medium"))
        #expect(description["name"] == "blockdev-change-medium")
        #expect(description["kind"] == "command")
        let arguments = try #require(description["arguments"]?.arrayValue)
        #expect(arguments.compactMap { $0["name"]?.stringValue } == ["device", "id", "filename", "format", "force", "read-only-mode"])
        #expect(arguments[0] == ["name": "device", "type": "str", "optional": true, "features": ["deprecated"]])
        #expect(arguments[2] == ["name": "filename", "type": "str", "optional": false])
        #expect(arguments[5]["values"] == ["retain", "read-only", "read-write"])
        #expect(description["returns"] == "{}")
        #expect(description["allow-oob"] == false)
        let add = try #require(qemu72.description(ofCommand: "blockdev-add"))
        #expect(add["variants"]?["tag"] == "driver")
        let cases = try #require(add["variants"]?["cases"]?.arrayValue)
        let file = try #require(cases.first { $0["value"] == "file" })
        #expect(file["arguments"]?[0]?["name"] == "filename")
        let event = try #require(qemu72.description(ofEvent: "DEVICE_DELETED"))
        #expect(event["data"]?.arrayValue?.count == 2)
        #expect(event["kind"] == "event")
    }
}
