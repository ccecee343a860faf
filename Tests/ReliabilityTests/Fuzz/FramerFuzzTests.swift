import QMPWire
import Testing

/// Property-based fuzzing of `JSONStreamFramer`: any chunking of a valid stream gives the same messages; random and
/// mutated bytes give objects, `malformed` items or `MessageTooLarge`, and never a crash or a hang.
@Suite(.timeLimit(.minutes(1))) struct FramerFuzzTests {
    /// Feeds `bytes` in the given chunks and collects every item; stops at `MessageTooLarge`.
    static func frame(
        _ bytes: [UInt8], chunks: [Range<Int>], maximum: Int = 256 << 20
    ) -> (items: [JSONStreamFramer.Item], tooLarge: Bool, framer: JSONStreamFramer) {
        var framer = JSONStreamFramer(maximumMessageSize: maximum)
        var items: [JSONStreamFramer.Item] = []
        for chunk in chunks {
            framer.append(bytes[chunk])
            do {
                while let item = try framer.next() {
                    items.append(item)
                    // Every item consumes at least one byte: more items than bytes would mean a loop.
                    precondition(items.count <= bytes.count, "the framer returned more items than there are bytes")
                }
            } catch {
                return (items, true, framer)
            }
        }
        return (items, false, framer)
    }

    @Test func anyChunkingOfAValidStreamGivesTheSameMessages() {
        Fuzz.run("framer: valid streams", ciIterations: 3000) { random, _ in
            var objects: [JSONObject] = []
            var stream: [UInt8] = []
            for _ in 0..<random.int(1...6) {
                let object = FuzzInput.jsonObject(&random)
                objects.append(object)
                JSON.object(object).write(into: &stream, pretty: random.chance(0.3))
                stream += Array(random.pick(["\r\n", "\n", "", " ", "\n\n", "\t\r\n"]).utf8)
            }
            let (items, tooLarge, framer) = Self.frame(stream, chunks: FuzzInput.chunks(stream.count, &random))
            #expect(!tooLarge)
            #expect(items == objects.map { .object($0) }, "stream: \(String(decoding: stream, as: UTF8.self))")
            #expect(!framer.isInsideMessage)
        }
    }

    @Test func randomBytesNeverCrashOrHang() {
        Fuzz.run("framer: random bytes", ciIterations: 3000) { random, _ in
            let bytes = FuzzInput.bytes(&random, maxCount: 512)
            let (items, _, _) = Self.frame(bytes, chunks: FuzzInput.chunks(bytes.count, &random), maximum: 256)
            for case .malformed(let input) in items {
                #expect(!input.reason.isEmpty)
                #expect(input.excerpt.utf8.count <= 200 * 4)
            }
        }
    }

    @Test func mutatedStreamsNeverCrashAndLaterMessagesSurvive() {
        Fuzz.run("framer: mutated streams", ciIterations: 3000) { random, _ in
            var valid: [UInt8] = []
            for _ in 0..<random.int(1...4) {
                JSON.object(FuzzInput.jsonObject(&random)).write(into: &valid, pretty: random.chance(0.3))
                valid += [13, 10]
            }
            var mutated = FuzzInput.mutate(valid, &random)
            // A message that follows the damage on a line of its own is still framed: this is how a client
            // recovers from a garbage or truncated line (the reply after it must not be lost).
            let marker: JSONObject = ["return": ["marker": .int(Int64(random.int(0...1_000_000)))]]
            mutated += Array("\n".utf8)
            JSON.object(marker).write(into: &mutated)
            mutated += Array("\r\n".utf8)
            let (items, tooLarge, framer) = Self.frame(
                mutated, chunks: FuzzInput.chunks(mutated.count, &random), maximum: 1 << 20)
            #expect(!tooLarge)
            #expect(items.last == .object(marker), "input: \(String(decoding: mutated, as: UTF8.self).debugDescription)")
            #expect(!framer.isInsideMessage)
        }
    }

    /// A message over the limit is one `tooLarge` item (it ends its call, not the stream) however it is cut,
    /// and the message after it still comes through.
    @Test func oversizedMessagesAreRefusedAtAnyChunking() {
        Fuzz.run("framer: size limit", ciIterations: 500) { random, _ in
            let limit = random.int(16...512)
            var stream: [UInt8] = Array("{\"return\": \"".utf8)
            stream += [UInt8](repeating: UInt8(ascii: "x"), count: limit + random.int(1...256))
            stream += Array("\"}\r\n{\"return\": 1}\r\n".utf8)
            let (items, tooLarge, _) = Self.frame(stream, chunks: FuzzInput.chunks(stream.count, &random), maximum: limit)
            #expect(!tooLarge)
            #expect(items.count == 2)
            if case .malformed(let input) = items.first {
                #expect(input.kind == .tooLarge)
            } else {
                Issue.record("the oversized message was accepted: \(items)")
            }
            #expect(items.last == .object(["return": 1]))
        }
    }
}
