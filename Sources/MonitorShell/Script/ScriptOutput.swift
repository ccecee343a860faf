import QMP
import QMPWire

/// Turns script reports into the lines `qmpsh run` prints: readable text by default, one JSON object per
/// statement and per event with `--json`. Pure formatting, no I/O.
///
/// Secrets never reach the output: statements are echoed through `Redaction.redactLine(_:placeholder:hmpMode:)`,
/// values through `Redaction.redact(_:placeholder:)`, and the return of a command that reads a secret
/// (`Redaction.readsSecret(command:arguments:)`) is replaced whole.
public struct ScriptOutputFormatter: Sendable {
    /// The output format.
    public enum Style: Sendable {
        /// Readable lines: a line per statement, failures on standard error with the line and a caret.
        case human
        /// One JSON object per line for each statement and event (`--json`).
        case json
    }

    /// Human-readable lines or JSON objects.
    public var style: Style
    /// Printed before each line when several monitors run (`[web1] `); `nil` for one monitor.
    public var monitorPrefix: String?
    /// The monitor, as it appears in JSON objects.
    public var monitor: String
    /// Longest result shown in human output before it is cut (the JSON output is never cut).
    public var maximumResultLength = 2000

    /// A formatter for the run on `monitor`; with `showsMonitor`, human lines start with `[monitor] `.
    public init(style: Style, monitor: String, showsMonitor: Bool) {
        self.style = style
        self.monitor = monitor
        self.monitorPrefix = showsMonitor ? "[\(monitor)] " : nil
    }

    /// The line for standard output (ending in a newline), and for a failure in human style the message for
    /// standard error (`FILE:LINE:COL: Class: message`, the line and a caret).
    public func format(_ report: ScriptReport, file: String) -> (out: String?, err: String?) {
        var memo = Memo()
        return format(report, file: file, memo: &memo)
    }

    /// What formatting one report leaves for the next, so that a script that repeats a statement (thousands of
    /// `query-status` lines) redacts and serializes it once: the redacted text of each statement, and the shown
    /// return of the last command together with the exact value it was made from. Redaction is a function of
    /// its input, so a result taken from here is the one formatting would give.
    struct Memo {
        /// Statement text → `Redaction.redactLine` of it (cleared when it holds ``capacity`` texts).
        var redactedLines: [String: String] = [:]
        /// The last human-style `→ VALUE` text, for a statement text and the value it returned.
        var lastReturn: (text: String, value: JSON, shown: String)?
        static let capacity = 1024

        mutating func redactedLine(_ text: String) -> String {
            if let known = redactedLines[text] { return known }
            let redacted = Redaction.redactLine(text)
            if redactedLines.count >= Self.capacity { redactedLines.removeAll(keepingCapacity: true) }
            redactedLines[text] = redacted
            return redacted
        }
    }

    /// ``format(_:file:)`` with what earlier reports of the same run left in `memo` (``ScriptReportWriter``).
    func format(_ report: ScriptReport, file: String, memo: inout Memo) -> (out: String?, err: String?) {
        switch (report, style) {
        case (.event(let event), .json):
            var object = JSONObject()
            if monitorPrefix != nil { object["monitor"] = .string(monitor) }
            object["event"] = .string(event.name)
            object["data"] = Redaction.redact(event.data)
            object["timestamp"] = event.json["timestamp"] ?? .null
            return (JSON.object(object).serialized() + "\n", nil)
        case (.event, .human):
            return (nil, nil)
        case (.statement(let result), .json):
            var object = JSONObject()
            if monitorPrefix != nil { object["monitor"] = .string(monitor) }
            object["file"] = .string(file)
            object["line"] = .int(Int64(result.statement.line))
            object["statement"] = .string(memo.redactedLine(result.statement.text))
            switch Self.redacted(result) {
            case .returned(let value): object["return"] = value
            case .passed(let value):
                object["ok"] = .bool(true)
                if let value { object["matched"] = value }
            case .failed(let failure):
                object["error"] = .object(JSONObject([("class", .string(failure.errorClass)), ("desc", .string(failure.message))]))
            }
            object["elapsed_ms"] = .double(Self.milliseconds(result.elapsed))
            return (JSON.object(object).serialized() + "\n", nil)
        case (.statement(let result), .human):
            let prefix = monitorPrefix ?? ""
            let head = "\(prefix)\(file):\(result.statement.line)  \(memo.redactedLine(result.statement.text))"
            let time = Self.durationText(result.elapsed)
            // The same statement returning exactly the same value as the last one shows the same text.
            if case .returned(let value) = result.outcome, !isHMP(result.statement), let last = memo.lastReturn,
               last.text == result.statement.text, Self.identical(last.value, value)
            {
                return ("\(head)  → \(last.shown)  (\(time))\n", nil)
            }
            switch Self.redacted(result) {
            case .returned(.string(let text)) where isHMP(result.statement):
                let body = text.replacing("\r\n", with: "\n")
                let indented = body.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { "    " + $0 }.joined(separator: "\n")
                return ("\(head)  (\(time))\n" + (body.isEmpty ? "" : indented.trimmingTrailingNewlineIndent + "\n"), nil)
            case .returned(let value):
                let shown = cut(value.serialized())
                if case .returned(let original) = result.outcome { memo.lastReturn = (result.statement.text, original, shown) }
                return ("\(head)  → \(shown)  (\(time))\n", nil)
            case .passed(let value):
                var detail = "ok"
                if case .wait = result.statement.kind, let value {
                    detail = "got " + cut((value["event"]?.stringValue ?? "") + " " + (value["data"]?.serialized() ?? ""))
                } else if case .expectError = result.statement.kind, let value {
                    detail = "failed as expected: " + (value["class"]?.stringValue ?? "") + ": " + (value["desc"]?.stringValue ?? "")
                }
                return ("\(head)  ✓ \(detail)  (\(time))\n", nil)
            case .failed(let failure):
                let error = ScriptError(
                    file: file, line: result.statement.line, column: result.statement.sourceColumn(1 + leading(result.statement)),
                    message: failure.description, sourceLine: result.statement.source)
                return ("\(head)  ✗ \(failure.errorClass)  (\(time))\n", prefix + error.rendered + "\n")
            }
        }
    }

    /// The closing line: counts, failures and time (human style), or a `{"summary": ...}` object.
    public func format(_ summary: ScriptSummary) -> String {
        switch style {
        case .json:
            var object = JSONObject()
            object["monitor"] = .string(summary.monitor)
            object["file"] = .string(summary.file)
            object["statements"] = .int(Int64(summary.executed))
            object["passed"] = .int(Int64(summary.passed))
            object["failed"] = .int(Int64(summary.failures.count))
            object["failed_lines"] = .array(summary.failures.map { .int(Int64($0.statement.line)) })
            object["stop"] = .string(summary.stop.rawValue)
            object["exit_status"] = .int(Int64(summary.exitStatus))
            object["elapsed_ms"] = .double(Self.milliseconds(summary.elapsed))
            return JSON.object(JSONObject([("summary", .object(object))])).serialized() + "\n"
        case .human:
            var text = (monitorPrefix ?? "") + "# \(summary.file) on \(summary.monitor): \(summary.executed) statements, \(summary.passed) passed"
            if !summary.failures.isEmpty {
                text += ", \(summary.failures.count) failed (line"
                text += summary.failures.count == 1 ? " " : "s "
                text += summary.failures.map { "\($0.statement.line)" }.joined(separator: ", ") + ")"
            }
            switch summary.stop {
            case .failed: text += "; stopped at the first failure"
            case .monitorGone: text += "; the monitor went away"
            case .cancelled: text += "; cancelled"
            case .completed: break
            }
            return text + " in \(Self.durationText(summary.elapsed))\n"
        }
    }

    /// Whether `a` and `b` are the same value written the same way: same cases, members in the same order, numbers of
    /// the same kind (unlike `==`, which compares objects in any order and `1` with `1.0`), so they serialize alike.
    static func identical(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.uint(let x), .uint(let y)): return x == y
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x), .object(let y)):
            return x.keys == y.keys && zip(x.values, y.values).allSatisfy { identical($0, $1) }
        default: return false
        }
    }

    /// The outcome with its secrets hidden.
    static func redacted(_ result: StatementResult) -> StatementOutcome {
        switch result.outcome {
        case .returned(let value):
            var name = "", arguments: JSON?
            if case .command(let input, _) = result.statement.kind {
                switch input {
                case .command(let command, let given): (name, arguments) = (command, .object(given))
                case .raw(let object): (name, arguments) = (object["execute"]?.stringValue ?? "", object["arguments"])
                default: break
                }
            }
            if Redaction.readsSecret(command: name, arguments: arguments) { return .returned(.string(Redaction.placeholder)) }
            return .returned(Redaction.redact(value))
        case .passed(let value): return .passed(value.map { Redaction.redact($0) })
        case .failed: return result.outcome
        }
    }

    private func isHMP(_ statement: ScriptStatement) -> Bool {
        if case .command(.hmp, _) = statement.kind { return true }
        return false
    }

    private func leading(_ statement: ScriptStatement) -> Int {
        statement.source.prefix { $0.isSpace }.count
    }

    private func cut(_ text: String) -> String {
        guard text.utf8.count > maximumResultLength, text.count > maximumResultLength else { return text }
        return String(text.prefix(maximumResultLength)) + "… (\(text.utf8.count) bytes; --json shows all)"
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return (milliseconds * 1000).rounded() / 1000
    }

    static func durationText(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        if ms >= 1000 { return String(format2: ms / 1000) + " s" }
        return String(format2: ms) + " ms"
    }
}

extension String {
    /// Two decimals, without Foundation.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let whole = hundredths / 100
        let fraction = abs(hundredths % 100)
        self = "\(whole)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    fileprivate var trimmingTrailingNewlineIndent: String {
        var text = self
        while text.hasSuffix("\n    ") { text.removeLast(5) }
        while text.hasSuffix("    "), text.split(separator: "\n").last?.allSatisfy({ $0 == " " }) == true {
            text.removeLast(4)
            if text.hasSuffix("\n") { text.removeLast() }
        }
        return text
    }
}
