import QMPWire

/// One whitespace-separated word of monitor input: an optional key and a value made of quoted and bare pieces.
struct ArgumentToken: Equatable {
    enum Piece: Equatable {
        /// Unquoted text (may include balanced `{...}` / `[...]` JSON).
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

    /// The value: JSON when a bare value parses as JSON, a string otherwise.
    func jsonValue() throws(MonitorSyntaxError) -> JSON {
        if pieces.count == 1 {
            switch pieces[0] {
            case .singleQuoted(let text), .doubleQuoted(let text): return .string(text)
            case .bare(let text):
                if text.isEmpty { return .string("") }
                if let value = try? JSON(parsing: text) { return value }
                if text.first == "{" || text.first == "[" {
                    do {
                        _ = try JSON(parsing: text)
                    } catch {
                        throw MonitorSyntaxError("invalid JSON in '\(key ?? text)': \(error.message)", column: valueColumn)
                    }
                }
                return .string(text)
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
            case "{", "[":
                // A JSON object or array: copy it whole, spaces and quotes included.
                let close = try balancedEnd(characters, from: index)
                bare += String(characters[index...close])
                index = close + 1
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

    /// The index of the bracket that closes the one at `start`, skipping JSON strings.
    private static func balancedEnd(_ characters: [Character], from start: Int) throws(MonitorSyntaxError) -> Int {
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while index < characters.count {
            let character = characters[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else {
                switch character {
                case "\"": inString = true
                case "{", "[": depth += 1
                case "}", "]":
                    depth -= 1
                    if depth == 0 { return index }
                default: break
                }
            }
            index += 1
        }
        throw MonitorSyntaxError("unbalanced '\(characters[start])'", column: start + 1)
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
