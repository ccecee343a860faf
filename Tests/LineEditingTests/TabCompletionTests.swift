import Testing
import LineEditing

/// What Tab does, decided without a terminal.
@Suite struct TabCompletionTests {
    @Test func singleCandidateIsInsertedWithASpace() {
        let action = TabAction.decide(LineCompletion(word: "query-sta", candidates: ["query-status"]), repeated: false)
        #expect(action == .replace(deleting: 0, inserting: "tus "))
    }

    @Test func keysAndDottedPrefixesGetNoSpace() {
        #expect(TabAction.decide(LineCompletion(word: "filen", candidates: ["filename="]), repeated: false)
            == .replace(deleting: 0, inserting: "ame="))
        #expect(TabAction.decide(LineCompletion(word: "fi", candidates: ["file."]), repeated: false)
            == .replace(deleting: 0, inserting: "le."))
    }

    @Test func severalCandidatesInsertTheirCommonPrefixThenListOnTheSecondTab() {
        let completion = LineCompletion(word: "que", candidates: ["query-block", "query-status"])
        #expect(TabAction.decide(completion, repeated: false) == .replace(deleting: 0, inserting: "ry-"))
        let after = LineCompletion(word: "query-", candidates: ["query-block", "query-status"])
        #expect(TabAction.decide(after, repeated: false) == .beep)
        #expect(TabAction.decide(after, repeated: true) == .list(["query-block", "query-status"]))
    }

    @Test func noCandidateBeeps() {
        #expect(TabAction.decide(LineCompletion(word: "zz", candidates: []), repeated: true) == .beep)
    }

    @Test func candidateThatDoesNotExtendTheWordReplacesIt() {
        let action = TabAction.decide(LineCompletion(word: "Dev", candidates: ["DEVICE_DELETED"]), repeated: false)
        #expect(action == .replace(deleting: 3, inserting: "DEVICE_DELETED "))
    }

    @Test func candidatesAreLaidOutInColumns() {
        let text = TabAction.columnLayout(["aa", "bb", "cc", "dd", "ee"], columns: 12)
        // Width 4 per column, three columns; filled column by column.
        #expect(text == "aa  cc  ee\nbb  dd\n")
        let limited = TabAction.columnLayout((0..<10).map { "c\($0)" }, columns: 80, limit: 4)
        #expect(limited.hasSuffix("... and 6 more\n"))
    }
}

@Suite struct HistoryLocationTests {
    @Test func followsXDGStateHomeThenHome() {
        #expect(HistoryLocation.defaultPath(program: "qmpsh", environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"])
            == "/s/qmpsh/history")
        #expect(HistoryLocation.defaultPath(program: "qmpsh", environment: ["HOME": "/h"]) == "/h/.local/state/qmpsh/history")
        // A relative XDG_STATE_HOME is ignored, as the specification says.
        #expect(HistoryLocation.defaultPath(program: "qmpsh", environment: ["XDG_STATE_HOME": "rel", "HOME": "/h"])
            == "/h/.local/state/qmpsh/history")
        #expect(HistoryLocation.defaultPath(program: "qmpsh", environment: [:]) == nil)
    }
}
