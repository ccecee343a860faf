public import QMPWire

/// Turns progress reports into text for a terminal (a bar redrawn in place), a pipe (plain lines, at most one
/// per interval) or a program (one JSON object per report). It only returns text; the caller writes it.
///
/// ```
/// backup0  [##############----------------]  47%  30.0 MiB / 64.0 MiB  12.5 MiB/s  ETA 3s
/// ```
public struct ProgressRenderer: Sendable {
    /// Where the text goes.
    public enum Mode: String, Sendable {
        /// A bar redrawn on one line (carriage return), ended by a newline with the final report.
        case terminal
        /// Plain lines, at most one per ``plainInterval`` (the final one always).
        case plain
        /// One JSON object per report.
        case json
    }

    /// Bar, plain lines or JSON.
    public var mode: Mode
    /// The shortest time between two plain lines.
    public var plainInterval: Duration
    /// The bar's width in characters.
    public var barWidth: Int
    private var lastPlain: ContinuousClock.Instant?

    /// A renderer; plain lines come at most once per `plainInterval`, the bar is `barWidth` characters wide.
    public init(mode: Mode, plainInterval: Duration = .seconds(1), barWidth: Int = 30) {
        self.mode = mode
        self.plainInterval = plainInterval
        self.barWidth = barWidth
    }

    /// The text for `sample` (`nil` when nothing is to be written now, e.g. a plain line within the interval).
    public mutating func render(_ sample: ProgressSample, now: ContinuousClock.Instant = .now) -> String? {
        switch mode {
        case .terminal:
            return "\r\u{1B}[K" + Self.barLine(sample, width: barWidth) + (sample.isFinal ? "\n" : "")
        case .plain:
            if !sample.isFinal, let lastPlain, now - lastPlain < plainInterval { return nil }
            lastPlain = now
            return Self.plainLine(sample) + "\n"
        case .json:
            return Self.json(sample).serialized(pretty: false) + "\n"
        }
    }

    /// `label  [#####-----]  47%  30.0 MiB / 64.0 MiB  12.5 MiB/s  ETA 3s`.
    public static func barLine(_ sample: ProgressSample, width: Int = 30) -> String {
        let filled = sample.fraction.map { Int(($0 * Double(width)).rounded(.down)) } ?? 0
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        return "\(sample.label)  \(bar)  " + figures(sample) + (sample.isFinal ? "  \(sample.status)" : "")
    }

    /// `label running 47% 30.0 MiB / 64.0 MiB 12.5 MiB/s ETA 3s` (plus the extra figures).
    public static func plainLine(_ sample: ProgressSample) -> String {
        var line = "\(sample.label) \(sample.status) " + figures(sample)
        for (key, value) in sample.extra { line += " \(key)=\(value.stringValue ?? value.serialized(pretty: false))" }
        return line
    }

    static func figures(_ sample: ProgressSample) -> String {
        var parts = [sample.fraction.map { "\(Int(($0 * 100).rounded(.down)))%" } ?? " --%"]
        if sample.total > 0 { parts.append("\(bytes(sample.done)) / \(bytes(sample.total))") }
        if let rate = sample.rate, rate >= 0, !sample.isFinal { parts.append(bytes(Int64(rate)) + "/s") }
        if let eta = sample.estimatedTimeLeft { parts.append("ETA " + duration(eta)) }
        return parts.joined(separator: "  ")
    }

    /// The report as a JSON object: `label`, `status`, `fraction`, `done`, `total`, `rate`, `eta_s`, extras.
    public static func json(_ sample: ProgressSample) -> JSON {
        var object: JSONObject = ["label": .string(sample.label), "status": .string(sample.status)]
        object["fraction"] = sample.fraction.map { JSON.double(($0 * 1000).rounded() / 1000) } ?? .null
        object["done"] = .int(sample.done)
        object["total"] = .int(sample.total)
        object["rate"] = sample.rate.map { JSON.int(Int64($0)) } ?? .null
        object["eta_s"] = sample.estimatedTimeLeft.map { JSON.int($0.components.seconds) } ?? .null
        for (key, value) in sample.extra { object[key] = value }
        return .object(object)
    }

    /// `512 B`, `30.0 MiB`, `1.2 GiB`.
    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// `3s`, `2m05s`, `1h02m`.
    public static func duration(_ duration: Duration) -> String {
        let seconds = max(0, duration.components.seconds)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" + (seconds % 60 < 10 ? "0" : "") + "\(seconds % 60)s" }
        return "\(seconds / 3600)h" + ((seconds % 3600) / 60 < 10 ? "0" : "") + "\((seconds % 3600) / 60)m"
    }
}
