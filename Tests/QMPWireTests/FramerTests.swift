import Testing
import QMPWire

/// Feeds `bytes` to a framer in chunks of `chunkSize` and collects every item.
func frame(_ bytes: [UInt8], chunkSize: Int, maximum: Int = 256 << 20) throws -> [JSONStreamFramer.Item] {
    var framer = JSONStreamFramer(maximumMessageSize: maximum)
    var items: [JSONStreamFramer.Item] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunkSize)
        framer.append(bytes[offset..<end])
        while let item = try framer.next() { items.append(item) }
        offset = end
    }
    return items
}

let sampleStream = """
    {"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}\r
    {"return": {}}\r
    {"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}\r
    {"return": {"status": "paused", "singlestep": false, "running": false}}\r
    {"return": "a } tricky \\" { string"}\r

    """

@Suite struct FramerTests {
    static let chunkSizes = [1, 2, 3, 5, 7, 13, 64, 100, 4096]

    @Test(arguments: chunkSizes)
    func framesWholeObjectsAtAnyChunkSize(chunkSize: Int) throws {
        let items = try frame(Array(sampleStream.utf8), chunkSize: chunkSize)
        let reference = try frame(Array(sampleStream.utf8), chunkSize: 1 << 20)
        #expect(items.count == 5)
        #expect(items == reference)
        guard case .object(let last) = items[4] else { Issue.record("not an object"); return }
        #expect(last["return"] == "a } tricky \" { string")
    }

    @Test(arguments: chunkSizes)
    func framesPrettyMultiLineOutput(chunkSize: Int) throws {
        let pretty = """
            {
                "return": {
                    "status": "running",
                    "list": [
                        1,
                        {"x": "}"}
                    ]
                }
            }
            {
                "event": "RESUME",
                "timestamp": {"seconds": 1, "microseconds": 0}
            }

            """
        let items = try frame(Array(pretty.utf8), chunkSize: chunkSize)
        #expect(items.count == 2)
        #expect(items.first == .object(["return": ["status": "running", "list": [1, ["x": "}"]]]]))
    }

    @Test func framesManyMessagesInOneRead() throws {
        let line = #"{"return":{}}"# + "\n"
        let items = try frame(Array(String(repeating: line, count: 1000).utf8), chunkSize: 1 << 20)
        #expect(items.count == 1000)
        #expect(items.allSatisfy { $0 == .object(["return": [:]]) })
    }

    @Test(arguments: [4096, 65536, 1 << 20])
    func framesASixteenMebibyteMessage(chunkSize: Int) throws {
        let payload = String(repeating: "x", count: 16 << 20)
        let text = #"{"return": ""# + payload + #""}"# + "\n" + #"{"return": 1}"# + "\n"
        let items = try frame(Array(text.utf8), chunkSize: chunkSize)
        #expect(items.count == 2)
        guard case .object(let object) = items[0] else { Issue.record("not an object"); return }
        #expect(object["return"]?.stringValue?.utf8.count == 16 << 20)
        #expect(items[1] == .object(["return": 1]))
    }

    @Test(arguments: [1, 3, 64])
    func skipsGarbageAndGoesOn(chunkSize: Int) throws {
        let text = "garbage line\n" + #"{"return": 1}"# + "\n[1, 2]\n42\n" + #"{"return": {"bad": }}"# + "\n"
            + #"{"return": "unterminated"# + "\n" + #"{"return": 2}"# + "\r\n"
        let items = try frame(Array(text.utf8), chunkSize: chunkSize)
        let objects = items.compactMap { item -> JSONObject? in
            if case .object(let object) = item { return object }
            return nil
        }
        let malformed = items.compactMap { item -> JSONStreamFramer.MalformedInput? in
            if case .malformed(let input) = item { return input }
            return nil
        }
        #expect(objects == [["return": 1], ["return": 2]])
        #expect(malformed.map(\.reason) == [
            "not a JSON object", "not a JSON object", "not a JSON object",
            "invalid JSON (unexpected character '}')", "unterminated string",
        ])
        #expect(malformed.first?.excerpt == "garbage line")
    }

    /// A message over the limit is one skipped item (a reply that ends its call, not the connection), dropped
    /// as it arrives, so memory stays bounded by the limit; the next message frames normally.
    @Test(arguments: [1, 100, 1 << 20])
    func skipsMessagesOverTheLimitAsTheyArrive(chunkSize: Int) throws {
        let text = #"{"id": 7, "return": ""# + String(repeating: "y", count: 50_000) + #""}"# + "\n" + #"{"return": 2}"# + "\n"
        let items = try frame(Array(text.utf8), chunkSize: chunkSize, maximum: 1000)
        #expect(items.count == 2)
        guard case .malformed(let input) = items.first else {
            Issue.record("the oversized message was accepted: \(items)")
            return
        }
        #expect(input.kind == .tooLarge)
        #expect(input.keys == ["id", "return"])
        #expect(input.id == 7)
        #expect(items.last == .object(["return": 2]))
    }

    /// A line of junk with no newline is dropped as it arrives: the buffer stays small however long it is.
    @Test func junkWithoutNewlineDoesNotGrowTheBuffer() throws {
        var framer = JSONStreamFramer(maximumMessageSize: 1 << 20)
        let chunk = [UInt8](repeating: UInt8(ascii: "z"), count: 65536)
        for _ in 0..<256 {
            framer.append(chunk)
            #expect(try framer.next() == nil)
            #expect(framer.bufferedByteCount < 70_000)
        }
        framer.append(Array("\n{\"return\": 3}\n".utf8))
        guard case .malformed(let input) = try framer.next() else {
            Issue.record("the junk line was not reported")
            return
        }
        #expect(input.kind == .garbage)
        #expect(input.excerpt == String(repeating: "z", count: 200))
        #expect(try framer.next() == .object(["return": 3]))
    }

    /// Nesting beyond the limit is one skipped item, in bounded memory; the guest agent's 0xFF sync byte before an
    /// object is reported on its own and the object still frames.
    @Test func deepNestingAndSyncBytes() throws {
        var framer = JSONStreamFramer(maximumMessageSize: 1 << 30, maximumDepth: 100)
        framer.append(Array(#"{"return": "#.utf8))
        for _ in 0..<100 {
            framer.append([UInt8](repeating: UInt8(ascii: "["), count: 1000))
            #expect(try framer.next() == nil)
            #expect(framer.bufferedByteCount < 70_000)
        }
        for _ in 0..<100 { framer.append([UInt8](repeating: UInt8(ascii: "]"), count: 1000)) }
        framer.append(Array("}\n".utf8) + [0xFF] + Array(#"{"return": 4}"#.utf8))
        guard case .malformed(let input) = try framer.next() else {
            Issue.record("the deep message was not reported")
            return
        }
        #expect(input.kind == .tooDeep)
        #expect(input.keys == ["return"])
        guard case .malformed(let sync) = try framer.next() else {
            Issue.record("the sync byte was not reported")
            return
        }
        #expect(sync.kind == .syncByte)
        #expect(try framer.next() == .object(["return": 4]))
    }

    @Test func reportsAPartialMessage() throws {
        var framer = JSONStreamFramer()
        framer.append(Array(#"{"return": {"a"#.utf8))
        #expect(try framer.next() == nil)
        #expect(framer.isInsideMessage)
        framer.append(Array(#"": 1}}"#.utf8))
        #expect(try framer.next() == .object(["return": ["a": 1]]))
        #expect(!framer.isInsideMessage)
        #expect(framer.bufferedByteCount == 0)
    }
}
