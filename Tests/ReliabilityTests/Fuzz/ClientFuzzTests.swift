import QMP
import QMPTestSupport
import QMPWire
import Synchronization
import Testing

/// The client against a hostile peer (issue 14): random byte streams, valid and invalid JSON, deep nesting, huge
/// keys, sync bytes, random chunking and a close at a random point. Properties: no crash, no hang (no call reaches
/// its time limit, since the peer always closes), and every pending call ends. Bounded in iterations and in time
/// (`QMPKIT_FUZZ_ITERATIONS`, `QMPKIT_FUZZ_SEED` as for the other fuzz tests).
@Suite(.timeLimit(.minutes(2))) struct ClientFuzzTests {
    /// One piece of what the peer sends.
    static func piece(_ random: inout FuzzRandom) -> [UInt8] {
        switch random.int(0..<12) {
        case 0, 1:
            var bytes: [UInt8] = []
            JSON.object(["return": FuzzInput.jsonValue(&random)]).write(into: &bytes)
            return bytes + [13, 10]
        case 2: return Array(#"{"error": {"class": "GenericError", "desc": "no"}}"#.utf8) + [13, 10]
        case 3: return Array(#"{"return": 1, "id": \#(random.int(0..<4))}"#.utf8) + [10]
        case 4:
            var bytes: [UInt8] = []
            JSON.object([
                "event": "FUZZ", "data": FuzzInput.jsonValue(&random),
                "timestamp": ["seconds": 1, "microseconds": 2],
            ]).write(into: &bytes)
            return bytes + [10]
        case 5: return FuzzInput.bytes(&random, maxCount: 200)
        case 6:
            var bytes: [UInt8] = []
            JSON.object(["return": FuzzInput.jsonValue(&random)]).write(into: &bytes)
            return FuzzInput.mutate(bytes, &random) + [10]
        case 7:
            let depth = random.pick([10, 600, 4000, 5000, 100_000])
            let open = random.chance(0.5) ? UInt8(ascii: "[") : UInt8(ascii: "{")
            if open == UInt8(ascii: "{") {
                return Array(#"{"return": "#.utf8) + Array(String(repeating: #"{"a":"#, count: depth).utf8) + Array("1".utf8)
                    + [UInt8](repeating: UInt8(ascii: "}"), count: depth + 1) + [10]
            }
            return Array(#"{"return": "#.utf8) + [UInt8](repeating: open, count: depth)
                + [UInt8](repeating: UInt8(ascii: "]"), count: depth) + Array("}\n".utf8)
        case 8: return Array(#"{"return": {""#.utf8) + [UInt8](repeating: UInt8(ascii: "k"), count: random.int(1...40_000)) + Array(#"": 1}}"#.utf8) + [10]
        case 9: return [0xFF]
        case 10: return Array(#"{"return": "a"#.utf8) + [random.pick([0x00, 0x1B, 0x07])] + Array(#"b"}"#.utf8) + [10]
        default: return Array(#"{"return": {"broken": }}"#.utf8) + [10]
        }
    }

    @Test func hostilePeersNeverCrashOrHangTheClient() async throws {
        let seed = Fuzz.seed
        let count = Fuzz.iterations(ciDefault: 100)
        let clock = ContinuousClock()
        let start = clock.now
        let budget = Duration.seconds(40)
        var ran = 0
        var outcomes: [String: Int] = [:]
        for iteration in Fuzz.firstIteration..<(Fuzz.firstIteration + count) {
            if clock.now - start > budget { break }
            var random = FuzzRandom(seed: seed, iteration: iteration)
            let calls = random.int(1...6)
            var stream: [UInt8] = []
            for _ in 0..<random.int(1...10) { stream += Self.piece(&random) }
            let chunks = FuzzInput.chunks(stream.count, &random)
            let junkBeforeGreeting = random.chance(0.1) ? Self.piece(&random) : []
            let sendsIDs = random.chance(0.3)
            let payload = stream
            let server = try FakeQMPServer { peer in
                if !junkBeforeGreeting.isEmpty { try peer.sendRaw(junkBeforeGreeting + [10]) }
                try peer.negotiate()
                for _ in 0..<calls { guard try peer.receive(timeout: .seconds(5)) != nil else { break } }
                for chunk in chunks { try peer.sendRaw(Array(payload[chunk])) }
                peer.close()
            }
            var configuration = QMPClient.Configuration()
            configuration.greetingTimeout = .seconds(10)
            configuration.sendsIDs = sendsIDs
            let client: QMPClient
            do {
                client = try await QMPClient.connect(to: server.address, configuration: configuration)
            } catch is QMPTimeoutError {
                Issue.record("seed \(seed) iteration \(iteration): connect hung until its limit")
                continue
            } catch {
                outcomes["connect: \(type(of: error))", default: 0] += 1
                _ = await server.finished()
                continue
            }
            let results = await withTaskGroup(of: String.self) { group in
                for index in 0..<calls {
                    group.addTask {
                        do {
                            _ = try await client.execute("fuzz-\(index)", timeout: .seconds(10))
                            return "returned"
                        } catch let error as QMPTimeoutError {
                            return "HANG: \(error)"
                        } catch {
                            return "\(type(of: error))"
                        }
                    }
                }
                var all: [String] = []
                for await result in group { all.append(result) }
                return all
            }
            for result in results { outcomes[result, default: 0] += 1 }
            #expect(!results.contains { $0.hasPrefix("HANG") }, "seed \(seed) iteration \(iteration): \(results)")
            #expect(client.pendingCallCount == 0, "seed \(seed) iteration \(iteration)")
            await client.close()
            _ = await server.finished()
            ran += 1
        }
        #expect(ran >= 20, "only \(ran) iterations ran within \(budget)")
        print("fuzz client: \(ran) iterations, seed \(seed), \((clock.now - start).formatted), outcomes \(outcomes.sorted { $0.key < $1.key })")
    }
}
