import Testing
import QMPWire

/// The framer's line fast path (issue 14, session 5): an object that ends before its line's newline is parsed
/// directly, without the byte-by-byte scan first. It must frame exactly as the scan does, at any chunking.
@Suite struct FramerLineFastPathTests {
    @Test(arguments: [1, 2, 7, 64, 1 << 20])
    func everyInputFramesAsTheByteByByteScanDid(chunkSize: Int) throws {
        // Cases that leave the fast path part-way (cut by a newline, a `{` at the start of a line, two objects on
        // one line, garbage after an object, an invalid object) beside ones that take it.
        let text = "{\"return\": {\"status\": \"running\"}}\r\n"
            + "{\"a\": 1}{\"b\": [2, {\"c\": \"}\"}]}\n"
            + "{\"a\": 1} junk\n"
            + "{\"cut\":\n{\"return\": {}}\n"
            + "{\"bad\": tru}\n"
            + "{\"s\": \"x\\ny\\\"\"}\n"
        let items = try frame(Array(text.utf8), chunkSize: chunkSize)
        // Chunks of 1 byte never have the newline at hand when an object starts: that is the byte-by-byte scan.
        #expect(items == (try frame(Array(text.utf8), chunkSize: 1)))
        try #require(items.count == 9, "\(items)")
        #expect(items[0] == .object(["return": ["status": "running"]]))
        #expect(items[1] == .object(["a": 1]))
        #expect(items[2] == .object(["b": [2, ["c": "}"]]]))
        #expect(items[3] == .object(["a": 1]))
        guard case .malformed(let junk) = items[4], case .malformed(let cut) = items[5],
              case .malformed(let bad) = items[7]
        else { Issue.record("expected malformed items: \(items)"); return }
        #expect(junk.kind == .garbage)
        #expect(cut.kind == .truncatedObject)
        #expect(items[6] == .object(["return": [:]]))
        #expect(bad.kind == .invalidObject)
        #expect(items[8] == .object(["s": "x\ny\""]))
        var framer = JSONStreamFramer()
        framer.append(Array("{\"s\": \"x\\ny\\\"\"}\n".utf8))
        #expect(try framer.next() == .object(["s": "x\ny\""]))
    }

    /// A long line that arrives in small pieces is framed once, by the scan (no newline yet when it starts), and
    /// the framer says it is inside a message meanwhile; an object that no newline follows is still returned at its
    /// closing brace.
    @Test func aLineArrivingInPiecesFramesOnce() throws {
        var members: [String] = []
        for index in 0..<5000 { members.append("{\"name\": \"entity-\(index)\", \"meta-type\": \"object\"}") }
        let line = "{\"return\": [" + members.joined(separator: ", ") + "]}\r\n"
        let bytes = Array(line.utf8)
        var framer = JSONStreamFramer()
        var items: [JSONStreamFramer.Item] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 4096)
            framer.append(bytes[offset..<end])
            while let item = try framer.next() { items.append(item) }
            if end < bytes.count - 2 { #expect(items.isEmpty && framer.isInsideMessage) }
            offset = end
        }
        try #require(items.count == 1)
        guard case .object(let object) = items[0] else { Issue.record("not an object"); return }
        #expect(object["return"]?.arrayValue?.count == 5000)
        #expect(!framer.isInsideMessage)
        framer.append(Array("{\"return\": 1}{\"return\": 2}".utf8))
        #expect(try framer.next() == .object(["return": 1]))
        #expect(try framer.next() == .object(["return": 2]))
        #expect(try framer.next() == nil)
    }

    /// Limits still hold on the fast path: a line over the size limit, and nesting over the depth limit, are
    /// reported as before.
    @Test func limitsHoldOnTheFastPath() throws {
        let big = "{\"data\": \"" + String(repeating: "x", count: 2000) + "\"}\n{\"return\": {}}\n"
        let items = try frame(Array(big.utf8), chunkSize: 1 << 20, maximum: 1000)
        try #require(items.count == 2, "\(items)")
        guard case .malformed(let tooLarge) = items[0] else { Issue.record("\(items)"); return }
        #expect(tooLarge.kind == .tooLarge)
        #expect(items[1] == .object(["return": [:]]))
        var framer = JSONStreamFramer(maximumDepth: 10)
        framer.append(Array((String(repeating: "{\"a\": ", count: 20) + "1" + String(repeating: "}", count: 20) + "\n").utf8))
        guard case .malformed(let deep)? = try framer.next() else { Issue.record("expected tooDeep"); return }
        #expect(deep.kind == .tooDeep)
    }
}
