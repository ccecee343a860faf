import Foundation
import QMP
import Testing

/// `JSON`'s `Decodable` through a foreign decoder (issue 14): the 207 KB schema used to take 65 ms through
/// Foundation's `JSONDecoder`, each value tried shape by shape with `try?` (a thrown error per wrong guess, six of
/// them for every object). Objects and strings are asked for first now.
@Suite struct ForeignDecodingTests {
    @Test func theSchemaDecodesThroughFoundationToTheSameValue() throws {
        let data = Data(Fixtures.qemu72Schema.utf8)
        let clock = ContinuousClock()
        var decoded = JSON.null
        var best = Duration.seconds(1000)
        for _ in 0..<2 {
            let elapsed = try clock.measure { decoded = try JSONDecoder().decode(JSON.self, from: data) }
            best = min(best, elapsed)
        }
        #expect(decoded == (try JSON(parsing: Fixtures.qemu72Schema)))
        let old = try clock.measure { _ = try JSONDecoder().decode(TryEachShape.self, from: data) }
        // The order matters more than anything else here: every wrong guess is a thrown error.
        #expect(best < old, "objects first: \(best); the old order: \(old)")
        print("figure: the 207 KB schema through JSONDecoder into JSON: \(best), with the old order \(old) (debug build)")
    }

    /// The old order (null, bool, integers, double, string, array, object), for comparison.
    struct TryEachShape: Decodable {
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { return }
            if (try? container.decode(Bool.self)) != nil { return }
            if (try? container.decode(Int64.self)) != nil { return }
            if (try? container.decode(UInt64.self)) != nil { return }
            if (try? container.decode(Double.self)) != nil { return }
            if (try? container.decode(String.self)) != nil { return }
            if (try? container.decode([TryEachShape].self)) != nil { return }
            _ = try container.decode([String: TryEachShape].self)
        }
    }
}
