/// What one press of Tab does, decided from the completion alone (no terminal), so it can be tested.
///
/// A single candidate is inserted (with a space after it unless it ends with `=`, `.` or `/`). Several
/// candidates insert the text they all start with; when that adds nothing, the first Tab beeps and a second Tab
/// in a row lists them. No candidate beeps.
public enum TabAction: Sendable, Equatable {
    /// Delete this many characters before the cursor, then insert the text.
    case replace(deleting: Int, inserting: String)
    /// Show these candidates below the line.
    case list([String])
    /// Ring the terminal bell and change nothing: no candidate, or several with nothing more in common.
    case beep

    /// The action for `completion`; `repeated` is true when the previous key was also Tab on the same text.
    public static func decide(_ completion: LineCompletion, repeated: Bool) -> TabAction {
        let candidates = completion.candidates
        let word = completion.word
        guard let first = candidates.first else { return .beep }
        if candidates.count == 1 {
            let suffix = first.last.map { "=./".contains($0) } == true ? "" : " "
            return edit(from: word, to: first + suffix) ?? .beep
        }
        let prefix = commonPrefix(candidates)
        if prefix.count > word.count || !prefix.hasPrefix(word), let edit = edit(from: word, to: prefix) {
            return edit
        }
        return repeated ? .list(candidates) : .beep
    }

    /// The edit that turns `word` into `target`: append when `target` extends it, else replace it.
    private static func edit(from word: String, to target: String) -> TabAction? {
        if target.hasPrefix(word) {
            let rest = String(target.dropFirst(word.count))
            return rest.isEmpty ? nil : .replace(deleting: 0, inserting: rest)
        }
        return .replace(deleting: word.count, inserting: target)
    }

    static func commonPrefix(_ candidates: [String]) -> String {
        guard let first = candidates.first else { return "" }
        var prefix = Substring(first)
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(prefix) { prefix = prefix.dropLast() }
        }
        return String(prefix)
    }

    /// Candidates laid out in columns for a terminal `columns` wide, one string with a line break after each row.
    /// At most `limit` are shown; a last line says how many were left out.
    public static func columnLayout(_ candidates: [String], columns: Int, limit: Int = 300) -> String {
        let shown = Array(candidates.prefix(limit))
        let width = (shown.map(\.count).max() ?? 0) + 2
        let perRow = max(1, columns / max(1, width))
        let rows = (shown.count + perRow - 1) / perRow
        var text = ""
        for row in 0..<rows {
            var line = ""
            for column in 0..<perRow {
                // Column-major, like shells list completions.
                let index = column * rows + row
                guard index < shown.count else { break }
                let item = shown[index]
                line += item
                if column < perRow - 1, (column + 1) * rows + row < shown.count {
                    line += String(repeating: " ", count: width - item.count)
                }
            }
            text += line + "\n"
        }
        if candidates.count > shown.count { text += "... and \(candidates.count - shown.count) more\n" }
        return text
    }
}
