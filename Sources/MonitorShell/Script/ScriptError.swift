import QMPWire

/// A problem in a script, found before anything was sent (syntax, variables, the live schema) or while it ran.
///
/// ``description`` is `FILE:LINE:COL: message`, the form editors and CI logs link to; ``rendered`` adds the line
/// and a caret under the column.
public struct ScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The script's file name, as given.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column in the line as written.
    public var column: Int
    /// What is wrong, without the location.
    public var message: String
    /// The line as written, for ``rendered``.
    public var sourceLine: String

    /// A problem at 1-based `line` and `column` of `file`; `sourceLine` is the line as written.
    public init(file: String, line: Int, column: Int, message: String, sourceLine: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }

    /// `FILE:LINE:COL: message`, then the line and a caret under the column. The line is shown with its secrets
    /// hidden (`Redaction.redactLine(_:placeholder:hmpMode:)`); the caret moves with the text before it.
    public var rendered: String {
        let redacted = Redaction.redactLine(sourceLine)
        var caretColumn = column
        if redacted != sourceLine {
            let common = zip(sourceLine, redacted).prefix { $0 == $1 }.count
            if column - 1 > common { caretColumn = max(common + 1, column + redacted.count - sourceLine.count) }
        }
        let line = redacted.replacing("\t", with: " ")
        let caretOffset = max(0, min(caretColumn - 1, line.count))
        return "\(description)\n    \(line)\n    \(String(repeating: " ", count: caretOffset))^"
    }
}

/// All the problems found in a script before it ran (none of it was sent).
public struct ScriptErrors: Error, Sendable, CustomStringConvertible {
    /// The problems, in line order.
    public var errors: [ScriptError]

    /// The problems found, in line order.
    public init(_ errors: [ScriptError]) { self.errors = errors }

    /// Each error's `FILE:LINE:COL: message`, one per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }

    /// Every error with its line and caret.
    public var rendered: String { errors.map(\.rendered).joined(separator: "\n") }
}
