import QMPWire

/// One whitespace-separated word of monitor input: an optional key and a value made of quoted and bare pieces.
struct ArgumentToken: Equatable {
    enum Piece: Equatable {
        /// Unquoted text (may include a whole `{...}` / `[...]` value with spaces in it).
        case bare(String)
        /// `'...'`: literal text.
        case singleQuoted(String)
        /// `"..."`: a JSON string, already decoded.
        case doubleQuoted(String)
    }

    /// The word as typed.
    var text: String
    /// 1-based column of the word.
    var column: Int
    /// The part before the first unquoted `=`, if there is one.
    var key: String?
    /// The value pieces after `=` (or of the whole word when there is no key).
    var pieces: [Piece]
    /// Column where the value starts.
    var valueColumn: Int

    var isBareWord: Bool {
        key == nil && pieces.count == 1 && { if case .bare = pieces[0] { return true } else { return false } }()
    }

    /// The value. A bare value that is valid JSON as a whole is that JSON (`1024`, `true`, `{"a": 1}`); one in
    /// qmp-shell's Python notation (`{'a': 1}`, `[True, None]`, `{"a": 1,}`) is converted to JSON; the words
    /// `True` and `False` (any case) are booleans, as in qmp-shell; anything else is a string. Quotes make a string.
    func jsonValue() throws(MonitorSyntaxError) -> JSON {
        if pieces.count == 1 {
            switch pieces[0] {
            case .singleQuoted(let text), .doubleQuoted(let text): return .string(text)
            case .bare(let text):
                if text.isEmpty { return .string("") }
                do {
                    return try JSON(parsing: text)
                } catch {
                    // A number JSON cannot hold exactly is refused, never sent changed (or silently as a string).
                    if error.message.contains("out of range") {
                        throw MonitorSyntaxError(
                            "\(error.message) in '\(key ?? text)' (quote it to send it as a string)",
                            column: valueColumn + error.offset)
                    }
                }
                return Self.bareValue(text)
            }
        }
        var string = ""
        for piece in pieces {
            switch piece {
            case .bare(let text), .singleQuoted(let text), .doubleQuoted(let text): string += text
            }
        }
        return .string(string)
    }

    /// The rules for an unquoted value (see ``jsonValue()``).
    static func bareValue(_ text: String) -> JSON {
        if text.isEmpty { return .string("") }
        if let value = try? JSON(parsing: text) { return value }
        if text.first == "{" || text.first == "[", let value = PythonLiteral.parse(text) { return value }
        switch text.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: return .string(text)
        }
    }
}

enum ArgumentTokenizer {
    /// Splits a line into tokens at unquoted white space.
    static func tokens(in characters: [Character], from start: Int) throws(MonitorSyntaxError) -> [ArgumentToken] {
        var tokens: [ArgumentToken] = []
        var index = start
        while index < characters.count {
            if characters[index].isSpace {
                index += 1
                continue
            }
            var end = index
            let token = try scan(characters, from: index, wholeInput: false, end: &end)
            tokens.append(token)
            index = end
        }
        return tokens
    }

    /// Reads all of `characters` as one token (white space included), as for a word from a shell's argv.
    static func token(in characters: [Character], from start: Int, wholeInput: Bool) throws(MonitorSyntaxError)
        -> ArgumentToken
    {
        var end = start
        return try scan(characters, from: start, wholeInput: wholeInput, end: &end)
    }

    private static func scan(
        _ characters: [Character], from start: Int, wholeInput: Bool, end: inout Int
    ) throws(MonitorSyntaxError) -> ArgumentToken {
        var index = start
        var key: String?
        var pieces: [ArgumentToken.Piece] = []
        var bare = ""
        var valueColumn = start + 1
        func flushBare() {
            if !bare.isEmpty { pieces.append(.bare(bare)) }
            bare = ""
        }
        while index < characters.count {
            let character = characters[index]
            if character.isSpace && !wholeInput { break }
            switch character {
            case "=" where key == nil:
                flushBare()
                key = pieces.map { piece -> String in
                    switch piece {
                    case .bare(let t), .singleQuoted(let t), .doubleQuoted(let t): return t
                    }
                }.joined()
                pieces = []
                index += 1
                valueColumn = index + 1
            case "'":
                flushBare()
                guard let close = characters[(index + 1)...].firstIndex(of: "'") else {
                    throw MonitorSyntaxError("unterminated single quote", column: index + 1)
                }
                pieces.append(.singleQuoted(String(characters[(index + 1)..<close])))
                index = close + 1
            case "\"":
                flushBare()
                var cursor = index + 1
                var escaped = false
                while cursor < characters.count {
                    if escaped { escaped = false } else if characters[cursor] == "\\" { escaped = true } else if characters[cursor] == "\"" { break }
                    cursor += 1
                }
                guard cursor < characters.count else {
                    throw MonitorSyntaxError("unterminated double quote", column: index + 1)
                }
                let literal = String(characters[index...cursor])
                guard case .string(let decoded) = try? JSON(parsing: literal) else {
                    throw MonitorSyntaxError(
                        "invalid escape in a double-quoted string", column: index + 1 + invalidEscapeOffset(characters[index...cursor]))
                }
                pieces.append(.doubleQuoted(decoded))
                index = cursor + 1
            case _ where (character == "{" || character == "[") && bare.isEmpty && pieces.isEmpty:
                // A JSON (or Python-notation) object or array that starts the value may hold spaces and quotes;
                // anything else with a bracket is plain text, and its word ends at the next space.
                if let close = balancedEnd(characters, from: index),
                    close + 1 == characters.count || characters[close + 1].isSpace,
                    case let candidate = String(characters[index...close]),
                    (try? JSON(parsing: candidate)) != nil || PythonLiteral.parse(candidate) != nil
                {
                    bare += candidate
                    index = close + 1
                } else {
                    bare.append(character)
                    index += 1
                }
            default:
                bare.append(character)
                index += 1
            }
        }
        flushBare()
        end = index
        return ArgumentToken(
            text: String(characters[start..<index]), column: start + 1, key: key, pieces: pieces,
            valueColumn: valueColumn)
    }

    /// The index of the bracket that closes the one at `start`, skipping quoted strings (JSON's and Python's);
    /// `nil` when it is never closed.
    private static func balancedEnd(_ characters: [Character], from start: Int) -> Int? {
        var depth = 0
        return firstUnquoted(characters, from: start, escapesInSingleQuotes: true) { _, character in
            switch character {
            case "{", "[": depth += 1
            case "}", "]": depth -= 1
            default: break
            }
            return depth == 0
        }
    }

    /// The first index from `start` of a character outside quotes for which `found` is true; `nil` when there is
    /// none. `"..."` holds backslash escapes; `'...'` holds them only with `escapesInSingleQuotes` (Python notation).
    static func firstUnquoted(
        _ characters: [Character], from start: Int, escapesInSingleQuotes: Bool,
        where found: (Int, Character) -> Bool
    ) -> Int? {
        var quote: Character?
        var escaped = false
        var index = start
        while index < characters.count {
            let character = characters[index]
            if let open = quote {
                if escaped {
                    escaped = false
                } else if character == "\\" && (open == "\"" || escapesInSingleQuotes) {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if found(index, character) {
                return index
            }
            index += 1
        }
        return nil
    }
}

/// Where the first escape JSON does not accept starts in a double-quoted literal (0 when none is found), so the
/// caret of the error points at it.
func invalidEscapeOffset(_ literal: ArraySlice<Character>) -> Int {
    let characters = Array(literal)
    var index = 1
    while index < characters.count - 1 {
        guard characters[index] == "\\" else {
            index += 1
            continue
        }
        let next = characters[index + 1]
        if "\"\\/bfnrt".contains(next) {
            index += 2
        } else if next == "u", index + 5 < characters.count, characters[(index + 2)...(index + 5)].allSatisfy(\.isHexDigit) {
            index += 6
        } else {
            return index
        }
    }
    return 0
}
