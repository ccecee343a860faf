#if canImport(Glibc)
import Glibc
#endif
import QMPTestSupport
import QMPWire
import Testing

/// Seeded random inputs for property-based fuzz tests, reproducible from a seed.
///
/// The CI run uses a fixed seed and a small number of iterations per test; a long run overrides both:
///
/// ```
/// QMPKIT_FUZZ_SEED=12345 QMPKIT_FUZZ_ITERATIONS=1000000 \
///     swift test --no-parallel --filter ReliabilityTests.Fuzz
/// ```
///
/// Each iteration gets a generator of its own, derived from the seed and the iteration number, so a failure message
/// that names both can be replayed alone with `QMPKIT_FUZZ_SEED=S QMPKIT_FUZZ_FIRST=I QMPKIT_FUZZ_ITERATIONS=1`.
enum Fuzz {
    /// The seed used when `QMPKIT_FUZZ_SEED` is not set.
    static let defaultSeed: UInt64 = 20_261_125

    static var seed: UInt64 { environment("QMPKIT_FUZZ_SEED").flatMap { UInt64($0) } ?? defaultSeed }

    /// `QMPKIT_FUZZ_ITERATIONS` when set, else `ciDefault`.
    static func iterations(ciDefault: Int) -> Int {
        environment("QMPKIT_FUZZ_ITERATIONS").flatMap { Int($0) } ?? ciDefault
    }

    static var firstIteration: Int { environment("QMPKIT_FUZZ_FIRST").flatMap { Int($0) } ?? 0 }

    /// Runs `body` once per iteration with a generator seeded for that iteration. A thrown error or a recorded
    /// issue names the seed and iteration. Prints one line with the figures (iterations, seed, time, slowest input).
    static func run(
        _ name: String, ciIterations: Int, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: (inout FuzzRandom, Int) throws -> Void
    ) {
        let seed = Fuzz.seed
        let count = iterations(ciDefault: ciIterations)
        let clock = ContinuousClock()
        let start = clock.now
        var slowest = Duration.zero
        for iteration in firstIteration..<(firstIteration + count) {
            var random = FuzzRandom(seed: seed, iteration: iteration)
            let began = clock.now
            do {
                try body(&random, iteration)
            } catch {
                Issue.record("fuzz \(name): seed \(seed) iteration \(iteration): \(error)", sourceLocation: sourceLocation)
                return
            }
            slowest = max(slowest, clock.now - began)
        }
        let elapsed = clock.now - start
        print("fuzz \(name): \(count) iterations, seed \(seed), \(elapsed.formatted) total, slowest input \(slowest.formatted)")
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    var formatted: String {
        let ms = milliseconds
        return ms >= 1000 ? "\((ms / 10).rounded() / 100) s" : "\((ms * 100).rounded() / 100) ms"
    }
}

/// SplitMix64: small, fast, and the same on every platform (the standard library's generator is not seedable).
struct FuzzRandom: RandomNumberGenerator {
    private var generator: SeededRandom

    init(seed: UInt64) { generator = SeededRandom(seed: seed) }

    init(seed: UInt64, iteration: Int) {
        var mixer = SeededRandom(seed: seed ^ (UInt64(truncatingIfNeeded: iteration) &* 0x9E37_79B9_7F4A_7C15))
        generator = SeededRandom(seed: mixer.next())
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func pick<T>(_ elements: [T]) -> T { elements[int(0..<elements.count)] }
}

// MARK: - Inputs

/// Building blocks of random inputs: lines for the monitor syntax (and the script language), byte mutations,
/// valid JSON values and chunkings of a stream.
enum FuzzInput {
    /// Fragments that exercise the monitor and script syntax: quotes, escapes, JSON brackets, `=`, dots,
    /// comments, variables, non-ASCII text, control characters.
    static let lineFragments: [String] = [
        " ", "  ", "\t", "=", "==", ".", "..", "\"", "'", "\\", "\\\"", "\\n", "\\u00e9", "\\u", "{", "}", "[", "]",
        ":", ",", "#", "!", "$", "${", "${disk}", "}", "$(", "`", ";", "|", "&", "\n", "\r", "\r\n", "\u{0}",
        "\u{1B}[K", "é", "e\u{301}", "🙂", "日本", "\u{200B}", "hmp", "hmp ", "info", "block", "query-status",
        "device_add", "driver=virtio-blk-pci", "id=vd1", "a=1", "a.b=2", "a.b.c=x", "size=1024", "force=true",
        "props={\"a\": 1}", "x=[1,2", "k=null", "-1", "1e308", "1e999", "0x10", "true", "null", "\"str\"",
        "'lit'", "key=\"two words\"", "key='two words'", "expect", "wait", "set", "console-expect",
    ]

    /// A random line built from ``lineFragments`` and random characters.
    static func line(_ random: inout FuzzRandom, maxPieces: Int = 12) -> String {
        var text = ""
        for _ in 0..<random.int(0...maxPieces) {
            if random.chance(0.8) {
                text += random.pick(lineFragments)
            } else {
                text.unicodeScalars.append(randomScalar(&random))
            }
        }
        return text
    }

    /// A line in the shape of a command with arguments (most of them well formed), so the parser's deeper paths
    /// run, not only its first error.
    static func commandLine(_ random: inout FuzzRandom) -> String {
        var words = [random.pick(["query-status", "device_add", "blockdev-add", "x", "hmp", "a-b_c.d"])]
        for _ in 0..<random.int(0...5) {
            let key = random.pick(["id", "driver", "file.filename", "a.b", "props", "size", "command-line"])
            let value = random.pick([
                "1", "true", "vd1", "\"two words\"", "'single'", "{\"x\": [1, 2]}", "[1]", "\"esc\\\"aped\"", "",
                line(&random, maxPieces: 3),
            ])
            words.append(key + "=" + value)
        }
        var text = words.joined(separator: " ")
        if random.chance(0.5) { text = String(decoding: mutate(Array(text.utf8), &random), as: UTF8.self) }
        return text
    }

    static func randomScalar(_ random: inout FuzzRandom) -> Unicode.Scalar {
        while true {
            let value: UInt32
            switch random.int(0..<4) {
            case 0: value = UInt32(random.int(0..<0x80))
            case 1: value = UInt32(random.int(0x80..<0x800))
            case 2: value = UInt32(random.int(0x800..<0x10000))
            default: value = UInt32(random.int(0x10000..<0x110000))
            }
            if let scalar = Unicode.Scalar(value) { return scalar }
        }
    }

    /// Whether `scalar` can join the character before it into one grapheme cluster.
    static func joinsPrevious(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .format, .surrogate: return true
        default: return properties.isGraphemeExtend || (0x1160...0x11FF).contains(scalar.value)
            || (0xD7B0...0xD7FF).contains(scalar.value) || (0x1F1E6...0x1F1FF).contains(scalar.value)
        }
    }

    static func bytes(_ random: inout FuzzRandom, maxCount: Int) -> [UInt8] {
        (0..<random.int(0...maxCount)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// `input` with 1–4 random edits: bit flips, inserted or deleted bytes, duplicated or truncated ranges,
    /// inserted syntax fragments.
    static func mutate(_ input: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<random.int(1...4) {
            let position = bytes.isEmpty ? 0 : random.int(0...bytes.count)
            switch random.int(0..<7) {
            case 0 where position < bytes.count:
                bytes[position] ^= UInt8(1) << UInt8(random.int(0..<8))
            case 1:
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
            case 2 where position < bytes.count:
                bytes.removeSubrange(position..<min(bytes.count, position + random.int(1...8)))
            case 3 where position < bytes.count:
                let end = min(bytes.count, position + random.int(1...16))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 4:
                bytes.removeSubrange(position...)
            case 5:
                bytes.insert(contentsOf: Array(random.pick(lineFragments).utf8), at: position)
            default:
                bytes.insert(contentsOf: Array(random.pick(["{", "}", "\"", "\\", "\n", "[", "]"]).utf8), at: position)
            }
        }
        return bytes
    }

    /// A random JSON value (integers, strings with escapes and non-ASCII text, nested containers), exact under a
    /// round trip.
    ///
    /// With `joinsGraphemes: false`, strings hold no scalar that joins the character before it into one grapheme
    /// (combining marks, joiners, prepended marks): the monitor syntax reads lines as Swift `Character`s, so a
    /// combining mark right after a quote or a bracket hides that quote (see RELIABILITY.md).
    static func jsonValue(_ random: inout FuzzRandom, depth: Int = 0, joinsGraphemes: Bool = true) -> JSON {
        let kinds = depth >= 4 ? 4 : 6
        switch random.int(0..<kinds) {
        case 0: return .null
        case 1: return .bool(random.chance(0.5))
        case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &random) >> random.int(0..<63))
        case 3: return .string(jsonString(&random, joinsGraphemes: joinsGraphemes))
        case 4:
            return .array((0..<random.int(0...4)).map { _ in jsonValue(&random, depth: depth + 1, joinsGraphemes: joinsGraphemes) })
        default: return .object(jsonObject(&random, depth: depth + 1, joinsGraphemes: joinsGraphemes))
        }
    }

    static func jsonObject(_ random: inout FuzzRandom, depth: Int = 0, joinsGraphemes: Bool = true) -> JSONObject {
        var object = JSONObject()
        for _ in 0..<random.int(0...4) {
            object[jsonString(&random, joinsGraphemes: joinsGraphemes)] = jsonValue(
                &random, depth: depth + 1, joinsGraphemes: joinsGraphemes)
        }
        return object
    }

    /// Strings full of what a framer must not be fooled by: braces, quotes, backslashes, newlines (escaped on the
    /// wire), control characters and multi-byte text.
    static func jsonString(_ random: inout FuzzRandom, joinsGraphemes: Bool = true) -> String {
        var text = ""
        for _ in 0..<random.int(0...8) {
            if random.chance(0.5) {
                text += random.pick(["{", "}", "[", "]", "\"", "\\", "\n", "\r\n", "\t", "\u{1}", "é", "🙂", "a", "key", " "])
            } else {
                var scalar = randomScalar(&random)
                while !joinsGraphemes && joinsPrevious(scalar) { scalar = randomScalar(&random) }
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// Cut points that split `count` bytes into random chunks (one byte at a time included).
    static func chunks(_ count: Int, _ random: inout FuzzRandom) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        let style = random.int(0..<3)
        while start < count {
            let size: Int
            switch style {
            case 0: size = 1
            case 1: size = random.int(1...16)
            default: size = random.int(1...4096)
            }
            let end = min(count, start + size)
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }
}
