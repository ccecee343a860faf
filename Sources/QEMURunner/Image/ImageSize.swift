/// A disk image size in bytes, parsed the way `qemu-img` users write it: `6G`, `512M`, `100K`, `1T`, `1.5G`, or a
/// plain byte count. Suffixes are powers of 1024 (`K`, `M`, `G`, `T`, `P`, `E`, any case, optionally followed by
/// `iB`); `B` alone means bytes.
///
/// Not an error: `0` (qemu-img creates empty images), `1.5G` (a fraction that comes to whole bytes).
/// Refused, with a message naming the value: negative or empty values, unknown suffixes, decimal units such as
/// `6GB` (ambiguous: 10⁹ or 2³⁰?), fractions of a byte (`1.1K`), sizes beyond `Int64.max` (qemu-img's limit).
///
/// ```swift
/// let size = try ImageSize(parsing: "6G")   // 6442450944 bytes, prints "6 GiB"
/// ```
public struct ImageSize: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The size in bytes.
    public var bytes: UInt64

    /// A size of `bytes` bytes.
    public init(bytes: UInt64) { self.bytes = bytes }

    public init(integerLiteral value: UInt64) { bytes = value }

    /// `count` KiB (`count` × 1024 bytes).
    public static func kibibytes(_ count: UInt64) -> ImageSize { ImageSize(bytes: count << 10) }
    /// `count` MiB (`count` × 1024² bytes).
    public static func mebibytes(_ count: UInt64) -> ImageSize { ImageSize(bytes: count << 20) }
    /// `count` GiB (`count` × 1024³ bytes).
    public static func gibibytes(_ count: UInt64) -> ImageSize { ImageSize(bytes: count << 30) }

    public static func < (lhs: ImageSize, rhs: ImageSize) -> Bool { lhs.bytes < rhs.bytes }

    /// In binary units, as qemu-img prints sizes: `6 GiB`, `196 KiB`, `1.5 GiB`, `512 bytes`.
    public var description: String { ImageSize.humanReadable(bytes) }

    /// `bytes` in binary units with at most two decimals (`1.46 GiB`), or `N bytes` below 1 KiB.
    public static func humanReadable(_ bytes: UInt64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard bytes >= 1024 else { return bytes == 1 ? "1 byte" : "\(bytes) bytes" }
        var unit = 0
        var divisor: UInt64 = 1024
        while unit + 1 < units.count && bytes / divisor >= 1024 {
            unit += 1
            divisor <<= 10
        }
        let whole = bytes / divisor
        // Hundredths, rounded half up, computed without overflow (remainder < divisor ≤ 2⁶⁰).
        let remainder = bytes % divisor
        var hundredths = (remainder / (divisor / 1024) * 100 + 512) / 1024
        var integer = whole
        if hundredths >= 100 {
            integer += 1
            hundredths -= 100
        }
        var text = "\(integer)"
        if hundredths > 0 {
            text += hundredths % 10 == 0 ? ".\(hundredths / 10)" : (hundredths < 10 ? ".0\(hundredths)" : ".\(hundredths)")
        }
        return text + " " + units[unit]
    }
}

// MARK: - Parsing

extension ImageSize {
    /// Parses `6G`, `512M`, `100K`, `1T`, `1.5G`, `6GiB`, `4096`, `4096B`.
    public init(parsing text: String) throws(RunnerError) {
        func invalid(_ reason: String) -> RunnerError {
            RunnerError(.invalidConfiguration, "invalid size '\(text)': \(reason)")
        }
        let usage = "give a number of bytes or a number with a K, M, G, T, P or E suffix (powers of 1024), e.g. 512M or 6G"
        func isDigit(_ c: Character) -> Bool { c.isASCII && c >= "0" && c <= "9" }
        var rest = Substring(text)
        let integerDigits = rest.prefix(while: isDigit)
        rest = rest.dropFirst(integerDigits.count)
        var fractionDigits = Substring()
        if rest.first == "." {
            rest = rest.dropFirst()
            fractionDigits = rest.prefix(while: isDigit)
            rest = rest.dropFirst(fractionDigits.count)
            if fractionDigits.isEmpty { throw invalid(usage) }
        }
        if text.hasPrefix("-") { throw invalid("a size cannot be negative") }
        if integerDigits.isEmpty && fractionDigits.isEmpty { throw invalid(usage) }

        let suffix = rest.uppercased()
        let shifts: [Character: UInt64] = ["K": 10, "M": 20, "G": 30, "T": 40, "P": 50, "E": 60]
        var shift: UInt64 = 0
        switch suffix {
        case "", "B":
            shift = 0
        default:
            guard let letter = suffix.first, let value = shifts[letter] else { throw invalid("unknown unit; \(usage)") }
            let rest = suffix.dropFirst()
            if rest == "B" {
                throw invalid("'\(letter)B' is ambiguous (10^\(value / 10 * 3) or 2^\(value)?); write \(letter) or \(letter)iB for 2^\(value)")
            }
            guard rest.isEmpty || rest == "IB" else { throw invalid("unknown unit; \(usage)") }
            shift = value
        }

        // bytes = integer × 2^shift + fraction × 2^shift, exactly, within Int64.
        let limit = UInt64(Int64.max)
        var integer: UInt64 = 0
        for digit in integerDigits.utf8 {
            let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(UInt64(digit - 48))
            if o1 || o2 || next > limit { throw invalid("too large (qemu-img takes at most \(limit) bytes)") }
            integer = next
        }
        guard shift == 0 || integer <= limit >> shift else {
            throw invalid("too large (qemu-img takes at most \(limit) bytes)")
        }
        var total = integer << shift
        if !fractionDigits.isEmpty {
            // fraction = digits / 10^n; fraction × 2^shift must be a whole number.
            let digits = fractionDigits.prefix(18)
            guard fractionDigits.dropFirst(18).allSatisfy({ $0 == "0" }) else { throw invalid("not a whole number of bytes") }
            var numerator: UInt64 = 0
            var denominator: UInt64 = 1
            for digit in digits.utf8 {
                numerator = numerator * 10 + UInt64(digit - 48)
                denominator *= 10
            }
            // numerator × 2^shift / denominator, with the 2^shift applied one bit at a time to stay exact.
            var remainingShift = shift
            while remainingShift > 0 && numerator % denominator != 0 && numerator <= UInt64.max / 2 {
                numerator *= 2
                remainingShift -= 1
            }
            guard numerator % denominator == 0 else {
                throw invalid(shift == 0 ? "a byte count must be a whole number" : "not a whole number of bytes")
            }
            let part = numerator / denominator
            guard remainingShift == 0 || part <= limit >> remainingShift else { throw invalid("too large") }
            let (sum, overflow) = total.addingReportingOverflow(part << remainingShift)
            guard !overflow, sum <= limit else { throw invalid("too large (qemu-img takes at most \(limit) bytes)") }
            total = sum
        }
        bytes = total
    }
}
