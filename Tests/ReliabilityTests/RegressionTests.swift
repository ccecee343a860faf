import QMP
import QMPWire
import Testing

/// Bugs the fault matrix and the fuzz tests found in the library, each pinned by the smallest input that showed it.
@Suite struct RegressionTests {
    static func items(_ text: String, maximum: Int = 256 << 20) throws -> [JSONStreamFramer.Item] {
        var framer = JSONStreamFramer(maximumMessageSize: maximum)
        framer.append(Array(text.utf8))
        var items: [JSONStreamFramer.Item] = []
        while let item = try framer.next() { items.append(item) }
        return items
    }

    /// A truncated line used to swallow every later message (the nesting depth never came back to zero), so the
    /// caller waiting for the next reply hung.
    @Test func aTruncatedLineDoesNotSwallowTheNextMessage() throws {
        let items = try Self.items("{\"return\": {}\r\n{\"return\": {\"status\": \"running\"}}\r\n")
        #expect(items.count == 2)
        guard case .malformed(let input) = items.first else {
            Issue.record("expected the truncated line to be skipped, got \(items)")
            return
        }
        #expect(input.reason == "truncated message")
        #expect(items.last == .object(["return": ["status": "running"]]))
    }

    /// Pretty output (nested lines indented) still frames as one message.
    @Test func prettyMessagesAreNotMistakenForTruncatedOnes() throws {
        let pretty = "{\n    \"return\": {\n        \"a\": [\n            {\n                \"b\": 1\n            }\n        ]\n    }\n}\n"
        #expect(try Self.items(pretty) == [.object(["return": ["a": [["b": 1]]]])])
    }

    /// A backslash at the end of a broken string used to escape the newline, so the framer stayed inside the
    /// string and swallowed the next message.
    @Test func aBackslashBeforeARawNewlineDoesNotHideIt() throws {
        let items = try Self.items("{\"return\": \"abc\\\n{\"return\": 1}\n")
        #expect(items.count == 2)
        #expect(items.last == .object(["return": 1]))
    }

    /// The size limit used to be checked only while a message was incomplete: a whole oversized message that
    /// arrived in one read was accepted. (It is one skipped item now, no longer the end of the stream.)
    @Test func theSizeLimitHoldsForAMessageThatArrivesWhole() throws {
        let items = try Self.items("{\"return\": \"" + String(repeating: "x", count: 100) + "\"}\n{\"return\": 1}\n", maximum: 64)
        guard case .malformed(let input) = items.first else {
            Issue.record("the oversized message was accepted: \(items)")
            return
        }
        #expect(input.kind == .tooLarge)
        #expect(input.keys == ["return"])
        #expect(items.last == .object(["return": 1]))
    }

    /// `!` alone used to give an HMP command with empty text (while `hmp` alone was an error).
    @Test func aBangAloneIsASyntaxError() {
        #expect(throws: MonitorSyntaxError("'!' needs a human-monitor command, e.g. !info status", column: 3)) {
            try MonitorInput.parse("  !  ")
        }
    }
}
