import QMP
import QMPWire
import Testing

/// Carried over from session 4: `SnapshotSave`, `SnapshotLoad`, `SnapshotDelete` and `BlockdevCreate` offered
/// `autoFinalize`/`autoDismiss` setters that did nothing (the commands have no such arguments). Only block job
/// commands (`BlockJobCommand`) have the properties now, so `save.autoFinalize = false` no longer compiles; what
/// can be checked at run time is which commands are block job commands and what `Job` sends.
@Suite struct JobCommandOptionsTests {
    @Test func onlyCommandsThatSendTheAutoOptionsOfferThem() {
        let withoutThem: [any JobCommand.Type] = [SnapshotSave.self, SnapshotLoad.self, SnapshotDelete.self, BlockdevCreate.self]
        for type in withoutThem {
            #expect(!(type is any BlockJobCommand.Type), "\(type) offers auto-finalize/auto-dismiss it cannot send")
            let takes = Self.takesAutoOptions(type)
            #expect(!takes, "\(type)")
        }
        let withThem: [any JobCommand.Type] = [BlockdevBackup.self, DriveBackup.self, BlockdevMirror.self, BlockStream.self, BlockCommit.self]
        for type in withThem {
            #expect(type is any BlockJobCommand.Type)
            let takes = Self.takesAutoOptions(type)
            #expect(takes, "\(type)")
        }
    }

    static func takesAutoOptions<Command: JobCommand>(_: Command.Type) -> Bool { Command.takesAutoOptions }

    @Test func jobOptionsReachTheArgumentsOfABlockJobAndNoOthers() throws {
        let backup = BlockdevBackup(jobID: "b0", device: "disk0", target: "t0", sync: .full)
            .applyingAutoOptions(autoFinalize: false, autoDismiss: false)
        let sent = try JSONValueEncoder().encode(backup)
        #expect(sent["auto-finalize"] == false && sent["auto-dismiss"] == false, "\(sent)")
        let save = SnapshotSave(jobID: "s0", tag: "t", vmstate: "disk0", devices: ["disk0"])
        let unchanged = try JSONValueEncoder().encode(save.applyingAutoOptions(autoFinalize: false, autoDismiss: false))
        #expect(unchanged == (try JSONValueEncoder().encode(save)))
        #expect(unchanged["auto-finalize"] == nil && unchanged["auto-dismiss"] == nil)
    }

    /// `completion-mode` and `copy-mode` are typed, with the wire value as the escape hatch for new ones.
    @Test func completionAndCopyModesAreTyped() throws {
        let transaction = Transaction([], completionMode: .grouped)
        #expect(try JSONValueEncoder().encode(transaction)["properties"] == ["completion-mode": "grouped"])
        var mirror = BlockdevMirror(jobID: "m0", device: "disk0", target: "t0", copyMode: .writeBlocking)
        #expect(try JSONValueEncoder().encode(mirror)["copy-mode"] == "write-blocking")
        mirror.copyMode = MirrorCopyMode(rawValue: "some-future-mode")
        #expect(try JSONValueEncoder().encode(mirror)["copy-mode"] == "some-future-mode")
        #expect(TransactionCompletionMode.individual.rawValue == "individual")
    }
}
