import Testing
import QMPWire

/// The parser state a framer keeps from one message to the next (issue 14, session 6): its member stacks and its
/// cache of short strings. Whatever came before, every message must parse exactly as a fresh parse of its text.
@Suite struct ParserScratchTests {
    /// A deterministic generator, so a failure reproduces.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The raw bytes of a JSON string literal of 0 to 17 bytes: ASCII, multi-byte UTF-8, invalid UTF-8 (lone
    /// continuation bytes, a truncated sequence) and escapes, so cache slots collide and every length is covered.
    static func stringLiteral(_ random: inout SplitMix) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("status".utf8), Array("é".utf8), Array("€".utf8), [0x80], [0xE2, 0x82],
            [0xFF], Array("\\n".utf8), Array("\\u00e9".utf8), Array("\\ud83d\\ude00".utf8), Array("x".utf8),
            Array("running".utf8), Array("0".utf8),
        ]
        var body: [UInt8] = []
        let target = Int.random(in: 0...17, using: &random)
        while body.count < target { body += pieces.randomElement(using: &random)! }
        return [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
    }

    @Test func everyMessageParsesAsAFreshParseWhateverCameBefore() throws {
        var random = SplitMix(state: 14)
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
            case .malformed(let report):
                // Only text a fresh parse refuses too (a duplicated key is fine; keys repeat by chance).
                #expect(expected == nil, "\(report) for \(String(decoding: line, as: UTF8.self))")
            case nil:
                Issue.record("no item for \(String(decoding: line, as: UTF8.self))")
            }
            if round % 2 != 0 { framer.append(Array("\n".utf8)) }
        }
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
