import Testing
import QMPWire

/// The parser state a framer keeps from one message to the next (issue 14, session 6): its member stacks and its
/// cache of short strings. Whatever came before, every message must parse exactly as a fresh parse of its text.
@Suite struct ParserScratchTests {
    /// The raw bytes of a JSON string literal of 0 to 17 bytes: ASCII, multi-byte UTF-8, invalid UTF-8 (lone
    /// continuation bytes, a truncated sequence) and escapes, so cache slots collide and every length is covered.
    static func stringLiteral(_ random: inout SplitMix) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("status".utf8), Array("\u{E9}".utf8), Array("e\u{301}".utf8), Array("€".utf8),
            [0x80], [0xE2, 0x82],
            [0xFF], Array("\\n".utf8), Array("\\u00e9".utf8), Array("\\ud83d\\ude00".utf8), Array("x".utf8),
            Array("running".utf8), Array("0".utf8),
        ]
        var body: [UInt8] = []
        let target = Int.random(in: 0...17, using: &random)
        while body.count < target { body += pieces.randomElement(using: &random)! }
        return [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
    }

    @Test func everyMessageParsesAsAFreshParseWhateverCameBefore() throws {
        var random = SplitMix(seed: 14)
        var framer = JSONStreamFramer()
        for round in 0..<3000 {
            var line: [UInt8] = Array("{".utf8)
            let members = Int.random(in: 0...5, using: &random)
            for member in 0..<members {
                if member > 0 { line += Array(",".utf8) }
                line += Self.stringLiteral(&random) + Array(":".utf8)
                switch Int.random(in: 0...3, using: &random) {
                case 0: line += Self.stringLiteral(&random)
                case 1: line += Array("[".utf8) + Self.stringLiteral(&random) + Array(",true,{}]".utf8)
                case 2: line += Array("{".utf8) + Self.stringLiteral(&random) + Array(":null}".utf8)
                default: line += Array(String(Int.random(in: -5...5, using: &random)).utf8)
                }
            }
            line += Array("}".utf8)
            let expected = try? JSON(parsing: line)
            // Alternate the fast path (line ends in a newline) and the byte-by-byte one (no newline yet at the
            // closing brace), and give the last one no trailing bytes (a string may end the buffer).
            framer.append(line)
            if round % 2 == 0 { framer.append(Array("\r\n".utf8)) }
            let item = try framer.next()
            switch item {
            case .object(let object):
                #expect(expected == .object(object), "\(String(decoding: line, as: UTF8.self))")
                // Byte for byte too (`==` on strings equates canonically equivalent ones: "é" and "e\u{301}").
                #expect(expected?.serialized() == JSON.object(object).serialized())
            case .malformed(let report):
                // Only text a fresh parse refuses too (a duplicated key is fine; keys repeat by chance).
                #expect(expected == nil, "\(report) for \(String(decoding: line, as: UTF8.self))")
            case nil:
                Issue.record("no item for \(String(decoding: line, as: UTF8.self))")
            }
            if round % 2 != 0 { framer.append(Array("\n".utf8)) }
        }
    }

    /// Objects with the same keys share one key array: each keeps the bytes it was sent with, and changing one
    /// leaves the others alone.
    @Test func objectsOfOneShapeStayIndependent() throws {
        var framer = JSONStreamFramer()
        let precomposed = "{\"caf\u{E9}\": 1, \"b\": 2}\n"
        let decomposed = "{\"cafe\u{301}\": 1, \"b\": 2}\n"
        framer.append(Array((precomposed + decomposed + precomposed).utf8))
        var objects: [JSONObject] = []
        while let item = try framer.next() {
            guard case .object(let object) = item else { Issue.record("expected an object: \(item)"); return }
            objects.append(object)
        }
        try #require(objects.count == 3)
        #expect(Array(JSON.object(objects[0]).serialized().utf8) == Array(precomposed.dropLast().utf8).filter { $0 != 0x20 })
        #expect(Array(JSON.object(objects[1]).serialized().utf8) == Array(decomposed.dropLast().utf8).filter { $0 != 0x20 })
        #expect(Array(objects[2].keys[0].utf8) == Array("caf\u{E9}".utf8))
        var changed = objects[2]
        changed["c"] = 3
        changed["b"] = nil
        #expect(changed.keys == ["caf\u{E9}", "c"])
        #expect(objects[0].keys == ["caf\u{E9}", "b"])
        #expect(objects[2].keys == ["caf\u{E9}", "b"])
    }

    @Test func aMessageThatFailsHalfWayLeavesNothingBehind() throws {
        var framer = JSONStreamFramer()
        // Each broken message stops with members on the parser's stacks (nested, keys read, values pending).
        let text = "{\"return\": {\"status\": \"running\", \"a\": [1, 2, {\"b\": tru}]}}\n"
            + "{\"return\": {\"status\": \"paused\"}}\n"
            + "{\"x\": [\"y\", {\"z\": 1e400}]}\n"
            + "{\"return\": [\"running\", {\"status\": \"running\"}]}\n"
        framer.append(Array(text.utf8))
        guard case .malformed(let first) = try framer.next() else { Issue.record("expected a malformed item"); return }
        #expect(first.kind == .invalidObject)
        #expect(try framer.next() == .object(["return": ["status": "paused"]]))
        guard case .malformed(let second) = try framer.next() else { Issue.record("expected a malformed item"); return }
        #expect(second.kind == .invalidObject)
        #expect(try framer.next() == .object(["return": ["running", ["status": "running"]]]))
        #expect(try framer.next() == nil)
    }

    @Test func aHugeMessageThenSmallOnesStillParseExactly() throws {
        var framer = JSONStreamFramer()
        let members = (0..<20_000).map { "\"k\($0)\": [\($0), \"v\($0 % 7)\"]" }.joined(separator: ", ")
        framer.append(Array("{\(members)}\n{\"return\": {\"status\": \"running\", \"k5\": 5}}\n".utf8))
        guard case .object(let huge) = try framer.next() else { Issue.record("expected the huge object"); return }
        #expect(huge.count == 20_000)
        #expect(huge["k19999"] == [19999, "v0"])
        #expect(huge["k19998"] == [19998, "v6"])
        #expect(try framer.next() == .object(["return": ["status": "running", "k5": 5]]))
    }
}
