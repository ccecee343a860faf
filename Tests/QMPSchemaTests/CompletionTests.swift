import QMP
import QMPSchema
import Testing

/// Completion candidates from QEMU 7.2's schema, with live values given as a snapshot.
@Suite struct CompletionTests {
    let completer = SchemaCompleter(schema: qemu72)
    let live = LiveValueSnapshot([
        .deviceIDs: ["nic0", "vd0", "cdrom0"],
        .blockNodeNames: ["null0", "disk1"],
        .removableBlockDeviceIDs: ["cdrom0"],
        .blockBackendNames: ["cd0"],
        .netdevIDs: ["n0"],
        .deviceDrivers: ["virtio-blk-pci", "virtio-net-pci", "ide-cd"],
        .deviceProperties(driver: "virtio-blk-pci"): ["drive", "bootindex", "serial", "num-queues"],
        .busNames: ["pci.0", "ide.0", "ide.1"],
        .hmpCommands: HMPHelpParser.commandNames(inHelp: Fixtures.qemu72Help),
        .hmpInfoCommands: HMPHelpParser.infoSubcommands(inHelp: Fixtures.qemu72Info),
    ])

    private func candidates(_ line: String) -> [String] {
        completer.completions(forLineBeforeCursor: line, live: live)
    }

    @Test func commandNames() {
        #expect(candidates("query-sta") == ["query-stats", "query-stats-schemas", "query-status"])
        #expect(candidates("").count == 216)
        #expect(candidates("  blockdev-ch") == ["blockdev-change-medium"])
        #expect(candidates("no-such-").isEmpty)
        let completion = completer.complete(lineBeforeCursor: "query-sta")
        #expect(completion.word == "query-sta")
        #expect(completion.commonPrefix == "query-stat")
    }

    @Test func argumentKeys() {
        // Deprecated arguments (`device`) are not offered.
        #expect(candidates("blockdev-change-medium ") == ["filename=", "force=", "format=", "id=", "read-only-mode="])
        #expect(candidates("blockdev-change-medium id=cdrom0 f") == ["filename=", "force=", "format="])
        // Arguments already on the line are not offered again.
        #expect(candidates("blockdev-change-medium id=cdrom0 filename=/a.iso f") == ["force=", "format="])
        #expect(candidates("query-status ").isEmpty)
        #expect(candidates("no-such-command ").isEmpty)
    }

    @Test func dottedKeysIntoNestedObjectsAndUnionVariants() {
        let top = candidates("blockdev-add driver=qcow2 ")
        #expect(top.contains("file."))
        #expect(top.contains("file="))
        #expect(top.contains("cache."))
        #expect(top.contains("backing="))
        #expect(!top.contains("driver="))
        #expect(!top.contains("filename="))
        // The union's variant appears once its tag is on the line.
        #expect(candidates("blockdev-add dr") == ["driver="])
        #expect(candidates("blockdev-add fi").isEmpty)
        #expect(candidates("blockdev-add driver=file fi") == ["filename="])
        // `file.` leads into the node's options; the nested union's variant once `file.driver` is given.
        let file = candidates("blockdev-add driver=qcow2 file.")
        #expect(file.contains("file.driver="))
        #expect(file.contains("file.node-name="))
        #expect(!file.contains("file.filename="))
        #expect(candidates("blockdev-add driver=qcow2 file.driver=file file.fi") == ["file.filename="])
        #expect(candidates("blockdev-add driver=qcow2 file.driver=file file.filename=/a cache.") == ["cache.direct=", "cache.no-flush="])
        // A nested object already started is offered again with its dot, for more members.
        #expect(candidates("blockdev-add driver=qcow2 file.driver=file fi") == ["file."])
    }

    @Test func enumerationValuesAndBooleans() {
        #expect(candidates("blockdev-change-medium read-only-mode=re")
            == ["read-only-mode=read-only", "read-only-mode=read-write", "read-only-mode=retain"])
        #expect(candidates("blockdev-change-medium force=") == ["force=false", "force=true"])
        #expect(candidates("blockdev-add driver=q") == ["driver=qcow", "driver=qcow2", "driver=qed", "driver=quorum"])
        #expect(candidates("blockdev-add driver=qcow2 file.driver=fi") == ["file.driver=file"])
        #expect(candidates("blockdev-add driver=qcow2 cache.direct=t") == ["cache.direct=true"])
        #expect(candidates("blockdev-change-medium filename=").isEmpty)
    }

    @Test func liveValues() {
        #expect(candidates("device_del id=") == ["id=cdrom0", "id=nic0", "id=vd0"])
        #expect(candidates("device_del id=v") == ["id=vd0"])
        #expect(candidates("blockdev-del node-name=") == ["node-name=disk1", "node-name=null0"])
        #expect(candidates("blockdev-change-medium id=") == ["id=cdrom0"])
        #expect(candidates("blockdev-add driver=qcow2 file=") == ["file=disk1", "file=null0"])
        #expect(candidates("blockdev-add driver=qcow2 backing=n") == ["backing=null0"])
        #expect(candidates("netdev_del id=") == ["id=n0"])
        #expect(candidates("device_add driver=virtio-") == ["driver=virtio-blk-pci", "driver=virtio-net-pci"])
        #expect(candidates("device_add driver=virtio-blk-pci drive=") == ["drive=cd0", "drive=disk1", "drive=null0"])
        #expect(candidates("device_add driver=virtio-blk-pci bus=ide") == ["bus=ide.0", "bus=ide.1"])
        // Without live values only the schema's candidates remain.
        #expect(completer.completions(forLineBeforeCursor: "device_del id=").isEmpty)
    }

    @Test func deviceAddPropertiesOfTheDriver() {
        #expect(candidates("device_add driver=virtio-blk-pci ") == ["bootindex=", "bus=", "drive=", "id=", "num-queues=", "serial="])
        #expect(candidates("device_add driver=virtio-blk-pci drive=null0 d").isEmpty)
        #expect(candidates("device_add driver=virtio-blk-pci b") == ["bootindex=", "bus="])
        #expect(candidates("device_add ") == ["bus=", "driver=", "id="])
    }

    @Test func liveQueriesTellWhatToFetch() {
        #expect(completer.liveQueries(forLineBeforeCursor: "device_del id=") == [.deviceIDs])
        #expect(completer.liveQueries(forLineBeforeCursor: "device_add driver=virtio-blk-pci ")
            == [.deviceProperties(driver: "virtio-blk-pci")])
        #expect(completer.liveQueries(forLineBeforeCursor: "device_add driver=virtio-blk-pci drive=")
            == [.blockBackendNames, .blockNodeNames])
        #expect(completer.liveQueries(forLineBeforeCursor: "query-sta").isEmpty)
        #expect(completer.liveQueries(forLineBeforeCursor: "hmp info ") == [.hmpInfoCommands])
    }

    @Test func hmpCommandsAndInfoSubcommands() {
        #expect(candidates("hmp in") == ["info"])
        #expect(candidates("!info bl") == ["block", "block-jobs", "blockstats"])
        #expect(candidates("hmp info qt") == ["qtree"])
        #expect(candidates("!sto") == ["stop", "stopcapture"])
        #expect(candidates("hmp info block ").isEmpty)
        #expect(SchemaCompleter.completeHMP(lineBeforeCursor: "info ver", live: live).candidates == ["version"])
        #expect(SchemaCompleter.completeHMP(lineBeforeCursor: "c", live: live).candidates.contains("cont"))
    }

    @Test func rawJSONQuotesAndCommentsGetNothing() {
        #expect(candidates(#"{"execute": "query-st"#).isEmpty)
        #expect(candidates(#"human-monitor-command command-line="info bl"#).isEmpty)
        #expect(candidates(#"human-monitor-command command-line='info "#).isEmpty)
        #expect(candidates("# query-st").isEmpty)
        // A finished quoted word before the cursor is fine.
        #expect(candidates(#"human-monitor-command command-line="info block" cp"#) == ["cpu-index="])
    }
}
