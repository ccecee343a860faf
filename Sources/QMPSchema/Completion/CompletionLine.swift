/// The text before the cursor cut into words, the way the input syntax cuts it, tolerant of unfinished input.
struct CompletionLine {
    /// Whole words before the one under the cursor (quotes kept as typed).
    var words: [Substring]
    /// The word under the cursor, possibly empty (after a space).
    var current: Substring
    /// The word under the cursor has an unfinished or complete quote.
    var currentIsQuoted: Bool

    init(_ text: Substring) {
        words = []
        var start: Substring.Index?
        var quote: Character?
        var escaped = false
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if escaped {
                    escaped = false
                } else if open == "\"" && character == "\\" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
            } else if character.isWhitespace {
                if let wordStart = start {
                    words.append(text[wordStart..<index])
                    start = nil
                    quoted = false
                }
            } else {
                if start == nil { start = index }
                if character == "\"" || character == "'" {
                    quote = character
                    quoted = true
                }
            }
            index = text.index(after: index)
        }
        if let wordStart = start {
            current = text[wordStart...]
        } else {
            current = text[text.endIndex...]
        }
        currentIsQuoted = quoted
    }
}
