/// "Did you mean" suggestions: the closest of a list of valid names to a misspelled one.
public enum Suggestion {
    /// The candidate closest to `input`, or `nil` when none is close enough.
    ///
    /// Closeness is the optimal-string-alignment edit distance (insertions, deletions, substitutions and swaps of
    /// neighbours), ignoring case and treating `_` and `-` alike; the distance allowed grows with the length of
    /// the input (1 up to 4 characters, 2 up to 8, then 3); of equally distant candidates, the one closest in length
    /// wins, then the first. When no candidate is that close, a candidate that starts with or contains the input
    /// (of at least 3 characters) is suggested, the shortest first.
    public static func closest(to input: String, in candidates: some Sequence<String>) -> String? {
        let target = normalized(input)
        guard !target.isEmpty else { return nil }
        let allowed = target.count <= 4 ? 1 : target.count <= 8 ? 2 : 3
        // Ranked by distance, then by how far the lengths differ (`qcow3` is closer to `qcow2` than to `qcow`).
        var best: (name: String, rank: Int)?
        var scratch = DistanceScratch()
        var partial: String?
        for candidate in candidates where candidate != input {
            let normalizedCandidate = normalized(candidate)
            let lengthDifference = abs(normalizedCandidate.count - target.count)
            let limit = min(allowed, best.map { $0.rank / 1024 } ?? allowed)
            if lengthDifference <= limit, let distance = scratch.distance(target, normalizedCandidate, limit: limit) {
                let rank = distance * 1024 + min(lengthDifference, 1023)
                if best.map({ rank < $0.rank }) ?? true { best = (candidate, rank) }
                if rank == 0 { break }
            }
            if best == nil, target.count >= 3, normalizedCandidate.count > target.count,
                partial.map({ candidate.utf8.count < $0.utf8.count }) ?? true,
                normalizedCandidate.starts(with: target) || normalizedCandidate.contains(target)
            {
                partial = candidate
            }
        }
        return best?.name ?? partial
    }

    private static func normalized(_ text: String) -> [UInt8] {
        text.utf8.map { byte in
            if byte == UInt8(ascii: "_") { return UInt8(ascii: "-") }
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { return byte + 32 }
            return byte
        }
    }
}

extension [UInt8] {
    fileprivate func contains(_ other: [UInt8]) -> Bool {
        guard other.count <= count else { return false }
        for start in 0...(count - other.count) where self[start..<(start + other.count)].elementsEqual(other) {
            return true
        }
        return false
    }
}

/// Rows reused across the candidates of one suggestion.
private struct DistanceScratch {
    var previous2: [Int] = []
    var previous: [Int] = []
    var current: [Int] = []

    /// The optimal-string-alignment distance of `a` and `b`, or `nil` when it is more than `limit`.
    mutating func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int? {
        let width = b.count + 1
        if previous.count < width {
            previous2 = [Int](repeating: 0, count: width)
            previous = previous2
            current = previous2
        }
        for j in 0..<width { previous[j] = j }
        guard !a.isEmpty else { return b.count <= limit ? b.count : nil }
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            if !b.isEmpty {
                for j in 1...b.count {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var value = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        value = Swift.min(value, previous2[j - 2] + 1)
                    }
                    current[j] = value
                    rowMinimum = Swift.min(rowMinimum, value)
                }
            }
            if rowMinimum > limit { return nil }
            swap(&previous2, &previous)
            swap(&previous, &current)
        }
        let result = previous[b.count]
        return result <= limit ? result : nil
    }
}
