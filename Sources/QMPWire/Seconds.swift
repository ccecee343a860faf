/// A number of seconds typed by a user (`--timeout 2.5`, `timeout=30`, `sleep 0.5`) turned into a `Duration`
/// without trapping.
///
/// Converting a `Double` such as `1e16`, `inf` or `nan` to an integer count of milliseconds traps at run time
/// (SIGILL). Every such conversion in the package goes through ``duration(_:allowsZero:)`` (which says no) after
/// ``check(_:name:allowsZero:)`` (which says why), so an out-of-range number is a usage error, never a crash.
///
/// ```swift
/// let limit = try Seconds.check(value, name: "--timeout")   // Duration, or SecondsError
/// ```
public enum Seconds {
    /// The largest accepted value: one billion seconds (about 31.7 years). It keeps every deadline computed from it
    /// (`now + limit`, milliseconds in an `Int64`, nanoseconds in an `Int64`) far from overflowing.
    public static let maximum: Double = 1_000_000_000

    /// `seconds` as a `Duration` (nanosecond precision), or `nil` when it is not a finite number from 0 (included
    /// only with `allowsZero`) to ``maximum``.
    public static func duration(_ seconds: Double, allowsZero: Bool = false) -> Duration? {
        guard seconds.isFinite, seconds <= maximum, allowsZero ? seconds >= 0 : seconds > 0 else { return nil }
        // 1e9 s is 1e18 ns: within Int64 (9.2e18), so the conversion below cannot trap.
        return .nanoseconds(Int64((seconds * 1_000_000_000).rounded()))
    }

    /// `seconds` as a `Duration`, or a ``SecondsError`` naming the option or key (`--timeout`, `timeout=`) and the
    /// accepted range.
    public static func check(_ seconds: Double, name: String, allowsZero: Bool = false) throws(SecondsError) -> Duration {
        guard let duration = duration(seconds, allowsZero: allowsZero) else {
            throw SecondsError(name: name, value: seconds, allowsZero: allowsZero)
        }
        return duration
    }

    /// Like ``duration(_:allowsZero:)`` for a value that was already checked: out-of-range values are clamped
    /// into the range instead of trapping (NaN becomes the smallest value).
    public static func duration(clamping seconds: Double, allowsZero: Bool = false) -> Duration {
        let lowest = allowsZero ? 0 : 0.001
        let value = seconds.isNaN ? lowest : min(max(seconds, lowest), maximum)
        return .nanoseconds(Int64((value * 1_000_000_000).rounded()))
    }
}

/// A number of seconds outside the accepted range (see ``Seconds``).
public struct SecondsError: Error, Sendable, CustomStringConvertible {
    /// The option or key, as the user wrote it (`--timeout`, `timeout=`, `sleep`).
    public var name: String
    /// The number given.
    public var value: Double
    /// Whether 0 is accepted.
    public var allowsZero: Bool

    /// `--timeout: 1e+16 is not a number of seconds from 0 (excluded) to 1000000000`.
    public var description: String {
        let lower = allowsZero ? "0" : "0 (excluded)"
        return "\(name) takes a number of seconds from \(lower) to \(Int(Seconds.maximum)); \(value) is out of range"
    }
}
