import QMP
import QMPSchema
import Testing

/// Checking commands before they are sent: against QEMU 7.2's schema and the hand-made edge cases.
@Suite struct ValidationTests {
    private func firstError(_ command: String, _ arguments: JSONObject, schema: QAPISchema = qemu72) -> SchemaValidationError? {
        schema.validate(command: command, arguments: arguments).errors.first
    }

    @Test func acceptsValidCommands() {
        let valid: [(String, JSONObject)] = [
            ("query-status", [:]),
            ("blockdev-change-medium", arguments("id=cdrom0", "filename=/tmp/b.iso", "format=raw", "read-only-mode=retain")),
            ("blockdev-add", arguments("driver=qcow2", "node-name=d1", "file.driver=file", "file.filename=/tmp/d.qcow2")),
            ("blockdev-add", arguments("driver=qcow2", "node-name=d2", "file=proto0", "backing=null")),
            ("blockdev-add", arguments("driver=null-co", "node-name=null1", "size=1048576", "read-only=true")),
            ("device_add", arguments("driver=virtio-blk-pci", "drive=d1", "id=vd1", "bootindex=2")),
            ("device_del", arguments("id=vd1")),
            ("netdev_add", arguments("type=user", "id=n1", "hostfwd=[{\"str\":\"tcp::2222-:22\"}]")),
            ("object-add", arguments("qom-type=memory-backend-ram", "id=mem1", "size=268435456")),
            ("qom-set", arguments("path=/machine", "property=x", "value={\"any\":[1,2]}")),
            ("human-monitor-command", arguments("command-line=info block", "cpu-index=0")),
            ("migrate-set-capabilities", arguments("capabilities=[{\"capability\":\"events\",\"state\":true}]")),
        ]
        for (command, arguments) in valid {
            let report = qemu72.validate(command: command, arguments: arguments)
            #expect(report.isValid, "\(command) \(arguments): \(report.errors)")
            #expect(report.warnings.isEmpty, "\(command): \(report.warnings)")
        }
    }

    @Test func unknownCommandSuggestsTheClosest() throws {
        let error = try #require(firstError("query-stauts", [:]))
        #expect(error.code == .unknownCommand)
        #expect(error.path == "")
        #expect(error.suggestion == "query-status")
        #expect(error.description == "unknown command 'query-stauts' — did you mean 'query-status'?")
        #expect(firstError("device-add", [:])?.suggestion == "device_add")
        #expect(firstError("status", [:])?.suggestion == "query-status")
        #expect(firstError("zzzzzzzzzz", [:])?.suggestion == nil)
    }

    @Test func unknownArgumentSuggestsTheClosest() throws {
        let report = qemu72.validate(
            command: "blockdev-change-medium", arguments: arguments("id=cd0", "filname=/tmp/a.iso"))
        let error = try #require(report.errors.first)
        #expect(error.code == .unknownArgument)
        #expect(error.path == "filname")
        #expect(error.suggestion == "filename")
        #expect(error.description == "unknown argument 'filname' for blockdev-change-medium — did you mean 'filename'?")
        // The typo also leaves the required argument out; that comes second.
        #expect(report.errors.map(\.code) == [.unknownArgument, .missingArgument])
        // Arguments already given are not suggested.
        let given = firstError("blockdev-change-medium", arguments("id=cd0", "filename=/a", "filenam=/b"))
        #expect(given?.suggestion != "filename")
    }

    @Test func missingRequiredArgument() throws {
        let error = try #require(firstError("blockdev-change-medium", arguments("id=cd0")))
        #expect(error.code == .missingArgument)
        #expect(error.path == "filename")
        #expect(error.description == "missing required argument 'filename' for blockdev-change-medium")
        #expect(firstError("device_del", [:])?.path == "id")
    }

    @Test func wrongJSONTypes() throws {
        let boolean = try #require(firstError("blockdev-change-medium", arguments("id=cd0", "filename=/a", "force=yes")))
        #expect(boolean.code == .wrongType)
        #expect(boolean.description
            == "argument 'force' of blockdev-change-medium must be a boolean (true or false), not the string 'yes' — did you mean 'true'?")
        let string = try #require(firstError("device_del", arguments("id=5")))
        #expect(string.description == "argument 'id' of device_del must be a string, not an integer (quote it for a string: id='5')")
        let integer = try #require(firstError("block_resize", arguments("node-name=d1", "size=big")))
        #expect(integer.description == "argument 'size' of block_resize must be an integer, not the string 'big'")
        #expect(firstError("block_resize", arguments("node-name=d1", "size=1.5"))?.code == .wrongType)
        #expect(firstError("block_resize", arguments("node-name=d1", "size=18446744073709551615")) == nil)
        let object = try #require(firstError("blockdev-add", arguments("driver=qcow2", "node-name=x", "cache=on")))
        #expect(object.description == "argument 'cache' of blockdev-add must be an object, not the string 'on'")
        let array = try #require(firstError("migrate-set-capabilities", arguments("capabilities=events")))
        #expect(array.message.hasPrefix("argument 'capabilities' of migrate-set-capabilities must be an array"))
    }

    @Test func enumerationValues() throws {
        let error = try #require(firstError(
            "blockdev-change-medium", arguments("id=cd0", "filename=/a", "read-only-mode=read-onyl")))
        #expect(error.code == .invalidValue)
        #expect(error.path == "read-only-mode")
        #expect(error.description
            == "invalid value 'read-onyl' for argument 'read-only-mode' of blockdev-change-medium — did you mean 'read-only'?")
        let far = try #require(firstError("blockdev-change-medium", arguments("id=cd0", "filename=/a", "read-only-mode=xyz")))
        #expect(far.suggestion == nil)
        #expect(far.message.hasSuffix("(expected one of retain, read-only, read-write)"))
        let long = try #require(firstError("blockdev-add", arguments("driver=zzzzzzzz", "node-name=x")))
        #expect(long.message.contains("… 42 in all)"))
    }

    @Test func unionVariantsFollowTheirTag() throws {
        let nested = try #require(firstError(
            "blockdev-add", arguments("driver=qcow2", "node-name=d1", "file.driver=file", "file.filname=/tmp/d.qcow2")))
        #expect(nested.path == "file.filname")
        #expect(nested.description == "unknown argument 'file.filname' for blockdev-add — did you mean 'file.filename'?")
        let missing = try #require(firstError("blockdev-add", arguments("driver=qcow2", "node-name=d1", "file.driver=file")))
        #expect(missing.description == "missing required argument 'file.filename' for blockdev-add")
        let driver = try #require(firstError("blockdev-add", arguments("driver=qcow3", "node-name=d1", "file=f")))
        #expect(driver.code == .invalidValue)
        #expect(driver.suggestion == "qcow2")
        // With the tag wrong, members of some variant are not reported as unknown (only the tag is).
        #expect(qemu72.validate(command: "blockdev-add", arguments: arguments("driver=qcow3", "node-name=d1", "file=f")).errors.count == 1)
        // A member of another variant than the one chosen is unknown.
        let other = try #require(firstError("blockdev-add", arguments("driver=file", "node-name=d1", "filename=/a", "backing=x")))
        #expect(other.path == "backing")
        let tagless = try #require(firstError("blockdev-add", arguments("node-name=d1")))
        #expect(tagless.description == "missing required argument 'driver' for blockdev-add")
        let objects = try #require(firstError("object-add", arguments("qom-type=memory-backend-ram", "id=m", "sise=1")))
        #expect(objects.suggestion == "size")
    }

    @Test func alternatesTakeTheBranchOfTheValuesType() throws {
        let error = try #require(firstError("blockdev-add", arguments("driver=qcow2", "node-name=d1", "file=5")))
        #expect(error.description
            == "argument 'file' of blockdev-add must be an object or a string, not an integer (quote it for a string: file='5')")
        #expect(firstError("blockdev-add", arguments("driver=qcow2", "node-name=d1", "file=disk0")) == nil)
        #expect(firstError("blockdev-add", arguments("driver=qcow2", "node-name=d1", "file=disk0", "backing=null")) == nil)
        #expect(firstError("do-thing", arguments("mode=fast", "target.kind=disk", "target.path=/a"), schema: edgeCases) == nil)
        #expect(firstError("do-thing", arguments("mode=fast", "target.kind=disk"), schema: edgeCases)?.path == "target.path")
        #expect(firstError("do-thing", arguments("mode=fast", "target.kind=net", "target.port=x"), schema: edgeCases)?.code == .wrongType)
        #expect(firstError("do-thing", arguments("mode=fast", "target=null"), schema: edgeCases) == nil)
        #expect(firstError("do-thing", arguments("mode=fast", "target=[1]"), schema: edgeCases)?.code == .wrongType)
        #expect(firstError("do-thing", arguments("mode=fast", "limits.max=1", "limits.burst=true"), schema: edgeCases) == nil)
        #expect(firstError("do-thing", arguments("mode=fast", "limits.max=1", "limits.burst=fast"), schema: edgeCases)?.message
            == "argument 'limits.burst' of do-thing must be an integer or a boolean (true or false), not the string 'fast'")
    }

    @Test func arraysAreCheckedElementByElement() throws {
        let error = try #require(firstError(
            "migrate-set-capabilities",
            arguments(#"capabilities=[{"capability":"events","state":true},{"capability":"evnts","state":true}]"#)))
        #expect(error.path == "capabilities[1].capability")
        #expect(error.suggestion == "events")
        #expect(firstError("do-thing", arguments("mode=fast", #"tags=["a",2]"#), schema: edgeCases)?.path == "tags[1]")
    }

    @Test func sizedIntegersAreRangeChecked() throws {
        let error = try #require(firstError("do-thing", arguments("mode=fast", "level=256"), schema: edgeCases))
        #expect(error.code == .outOfRange)
        #expect(error.message == "argument 'level' of do-thing is out of range for uint8 (0...255)")
        #expect(firstError("do-thing", arguments("mode=fast", "level=255", "offset=-32768"), schema: edgeCases) == nil)
        #expect(firstError("do-thing", arguments("mode=fast", "offset=-32769"), schema: edgeCases)?.code == .outOfRange)
        #expect(firstError("do-thing", arguments("mode=fast", "ratio=2"), schema: edgeCases) == nil)
        #expect(firstError("do-thing", arguments("mode=fast", "ratio=0.5"), schema: edgeCases) == nil)
    }

    @Test func deprecatedAndUnstableUseWarns() throws {
        let member = qemu72.validate(command: "blockdev-change-medium", arguments: arguments("device=ide1-cd0", "filename=/a"))
        #expect(member.isValid)
        #expect(member.warnings.map(\.description) == ["argument 'device' of blockdev-change-medium is deprecated"])
        #expect(member.warnings.first?.feature == "deprecated")
        let command = qemu72.validate(command: "x-query-roms", arguments: [:])
        #expect(command.isValid && command.warnings.map(\.description) == ["command 'x-query-roms' is unstable"])
        let value = qemu72.validate(
            command: "migrate-set-capabilities", arguments: arguments(#"capabilities=[{"capability":"x-colo","state":true}]"#))
        #expect(value.isValid)
        #expect(value.warnings.map(\.description)
            == ["value 'x-colo' of argument 'capabilities[0].capability' of migrate-set-capabilities is unstable"])
        let edge = edgeCases.validate(command: "do-thing", arguments: arguments("mode=legacy", "old-name=x", "limits.max=1"))
        #expect(edge.isValid)
        #expect(edge.warnings.map(\.feature) == ["unstable", "deprecated", "deprecated", "unstable"])
        #expect(try edge.check().count == 4)
    }

    @Test func argumentsOfNoArgumentCommands() throws {
        let error = try #require(firstError("query-status", arguments("verbose=true")))
        #expect(error.description == "unknown argument 'verbose' for query-status (it takes no arguments)")
    }

    @Test func anyAndUnknownTypesLetEverythingThrough() {
        #expect(firstError("do-thing", arguments("mode=fast", "opaque=[1,{\"a\":null}]", "gadget=7", "weird={}"), schema: edgeCases) == nil)
        #expect(firstError("qom-set", arguments("path=/machine", "property=x", "value=null")) == nil)
    }

    @Test func deviceAddPropertiesAreCheckedWhenKnown() throws {
        // Without the driver's properties, anything beyond driver/id/bus goes through.
        #expect(firstError("device_add", arguments("driver=virtio-blk-pci", "drve=d1")) == nil)
        #expect(firstError("device_add", arguments("drive=d1"))?.path == "driver")
        #expect(firstError("device_add", arguments("driver=virtio-blk-pci", "id=5"))?.code == .wrongType)
        let properties = ["drive", "bootindex", "serial", "num-queues"]
        let property = try #require(qemu72.validate(
            command: "device_add", arguments: arguments("driver=virtio-blk-pci", "drve=d1", "id=vd1"),
            deviceProperties: properties).errors.first)
        #expect(property.path == "drve")
        #expect(property.description == "unknown property 'drve' for device_add driver 'virtio-blk-pci' — did you mean 'drive'?")
        #expect(qemu72.validate(
            command: "device_add", arguments: arguments("driver=virtio-blk-pci", "drive=d1", "id=vd1", "bus=pci.0"),
            deviceProperties: properties).isValid)
        let driver = try #require(qemu72.validate(
            command: "device_add", arguments: arguments("driver=virtio-blk-pcx", "drive=d1"),
            deviceDrivers: ["virtio-blk-pci", "virtio-net-pci", "ide-cd"]).errors.first)
        #expect(driver.code == .unknownDriver)
        #expect(driver.description == "unknown device driver 'virtio-blk-pcx' for device_add — did you mean 'virtio-blk-pci'?")
    }

    @Test func checkThrowsTheFirstError() {
        #expect(throws: SchemaValidationError.self) {
            try qemu72.validate(command: "device_del", arguments: [:]).check()
        }
    }
}
