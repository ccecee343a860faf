#if canImport(Glibc)
import Glibc
#endif
import Foundation
import QMPWire

/// `qmpkit-bench json [ROUNDS]`: the JSON figures of issue 14 in one run.
///
/// - A 40 000-key object (the hostile message, ~700 KB): `JSON(parsing:)` against Foundation's
///   `JSONSerialization` on the same bytes, best of ROUNDS each, and the ratio (target ≤ 2×).
/// - 100 000-deep nesting: the time to the error and the growth of the peak RSS (bounded: the parser stops at
///   ``JSON/maximumNestingDepth``).
enum JSONBench {
    static func run(rounds: Int) throws {
        var text = "{"
        for index in 0..<40_000 {
            if index > 0 { text += "," }
            text += "\"k\(100_000 + index)\":\(index * 7)"
        }
        text += "}"
        let bytes = Array(text.utf8)
        let data = Data(bytes)
        let clock = ContinuousClock()
        var ours = Duration.seconds(1000)
        var foundation = Duration.seconds(1000)
        for _ in 0..<rounds {
            ours = min(ours, try clock.measure {
                let value = try JSON(parsing: bytes)
                guard value.objectValue?.count == 40_000 else { Bench.fail("the 40 000-key object parsed wrong") }
            })
            foundation = min(foundation, try clock.measure {
                let value = try JSONSerialization.jsonObject(with: data)
                guard (value as? [String: Any])?.count == 40_000 else { Bench.fail("JSONSerialization parsed it wrong") }
            })
        }
        let oursMicroseconds = Bench.microseconds(ours, per: 1)
        let foundationMicroseconds = Bench.microseconds(foundation, per: 1)
        print("40 000-key object (\(bytes.count / 1000) KB), best of \(rounds): JSON(parsing:) "
            + "\(Bench.format2(oursMicroseconds / 1000)) ms, JSONSerialization \(Bench.format2(foundationMicroseconds / 1000)) ms, "
            + "ratio \(Bench.format2(oursMicroseconds / foundationMicroseconds))× (target ≤ 2×)")

        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000) + Array(repeating: UInt8(ascii: "]"), count: 100_000)
        let peakBefore = peakResidentKiB()
        var message = ""
        let elapsed = clock.measure {
            do {
                _ = try JSON(parsing: deep)
                message = "accepted (wrong)"
            } catch {
                message = "\(error)"
            }
        }
        print("100 000-deep nesting: \"\(message)\" after \(Bench.format2(Bench.microseconds(elapsed, per: 1000))) ms, "
            + "peak RSS +\(peakResidentKiB() - peakBefore) KiB")
    }

    /// The peak resident set of this process (`ru_maxrss`, KiB).
    static func peakResidentKiB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss
    }
}
