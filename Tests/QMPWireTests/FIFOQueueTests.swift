import QMPWire
import Testing

/// `FIFOQueue` is a ring buffer (it sits on every command's path): checked against an array doing the same
/// operations, through wrap-around, growth, shrinking and removal from the middle.
struct FIFOQueueTests {
    @Test func behavesLikeAnArrayThroughWrapAroundGrowthAndRemoval() {
        var random = SplitMix(seed: 14)
        var queue = FIFOQueue<Int>()
        var model = ArraySlice<Int>()
        var next = 0
        for step in 0..<100_000 {
            // Phases: mostly appends (grow past 4096 so the ring shrinks later), then mostly pops, then mixed.
            let appendBias: UInt64 = step < 30_000 ? 70 : step < 60_000 ? 30 : 50
            let roll = random.next() % 100
            if roll < appendBias {
                queue.append(next)
                model.append(next)
                next += 1
            } else if roll < 98 {
                #expect(queue.popFirst() == model.popFirst())
            } else if !model.isEmpty {
                let index = model.startIndex + Int(random.next() % UInt64(model.count))
                let target = model[index]
                #expect(queue.removeFirst { $0 == target } == target)
                model.remove(at: index)
            }
            if step % 997 == 0 {
                #expect(Array(queue.elements) == Array(model), "step \(step)")
            }
            if queue.count != model.count || queue.first != model.first {
                Issue.record("step \(step): count \(queue.count), first \(String(describing: queue.first)); expected \(model.count), \(String(describing: model.first))")
                return
            }
        }
        #expect(queue.removeAll() == Array(model))
        #expect(queue.isEmpty && queue.popFirst() == nil)
    }
}

/// A small seeded generator, so a failure reproduces (also used by `ParserScratchTests`).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
