import QMPSchema
import Testing

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("filname", ["id", "filename", "format", "force"], "filename"),
        ("query-stauts", ["query-status", "query-stats"], "query-status"),
        ("node_name", ["node-name", "driver"], "node-name"),
        ("Driver", ["driver"], "driver"),
        ("qcow3", ["qcow", "qcow2", "qed"], "qcow2"),
        ("frce", ["force", "format"], "force"),
        ("status", ["query-status", "query-stats"], "query-status"),
        ("balloon", ["balloon", "query-balloon"], "query-balloon"),
    ] as [(String, [String], String)])
    func suggestsTheClosest(input: String, candidates: [String], expected: String) {
        #expect(Suggestion.closest(to: input, in: candidates) == expected)
    }

    @Test func suggestsNothingWhenNothingIsClose() {
        #expect(Suggestion.closest(to: "xyz", in: ["filename", "format"]) == nil)
        #expect(Suggestion.closest(to: "", in: ["a"]) == nil)
        #expect(Suggestion.closest(to: "ab", in: []) == nil)
        // Two characters only get one edit.
        #expect(Suggestion.closest(to: "ab", in: ["xy"]) == nil)
    }

    @Test func tiesGoToTheFirstCandidate() {
        #expect(Suggestion.closest(to: "cat", in: ["bat", "hat"]) == "bat")
        #expect(Suggestion.closest(to: "cat", in: ["hat", "bat"]) == "hat")
    }
}
