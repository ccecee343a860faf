public import QMPWire

/// One word of a monitor line as the qmp-shell syntax splits it: `key=value` or a bare value, with quotes and
/// JSON brackets respected. Script statements (`wait EVENT key=value`, `console-send "text"`) are built on it.
public struct MonitorWord: Sendable, Equatable {
    /// The word as typed.
    public var text: String
    /// 1-based column of the word in its line.
    public var column: Int
    /// The part before the first unquoted `=`, if there is one.
    public var key: String?
    /// 1-based column where the value starts.
    public var valueColumn: Int
    /// Whether the whole value was one quoted string (`"..."` or `'...'`).
    public var isQuoted: Bool
    fileprivate var token: ArgumentToken

    /// The value: JSON when a bare value parses as JSON, otherwise a string (quotes make a string).
    public func value() throws(MonitorSyntaxError) -> JSON { try token.jsonValue() }

    /// The value as text: quotes removed and escapes of `"..."` decoded, JSON left as typed.
    public var stringValue: String {
        token.pieces.map { piece -> String in
            switch piece {
            case .bare(let text), .singleQuoted(let text), .doubleQuoted(let text): return text
            }
        }.joined()
    }

    /// Splits `line` into words, starting at the 0-based character offset `start`.
    public static func split(_ line: String, from start: Int = 0) throws(MonitorSyntaxError) -> [MonitorWord] {
        try ArgumentTokenizer.tokens(in: Array(line), from: start).map { token in
            let quoted: Bool
            if token.pieces.count == 1 {
                switch token.pieces[0] {
                case .singleQuoted, .doubleQuoted: quoted = true
                case .bare: quoted = false
                }
            } else {
                quoted = false
            }
            return MonitorWord(
                text: token.text, column: token.column, key: token.key, valueColumn: token.valueColumn,
                isQuoted: quoted, token: token)
        }
    }
}

extension KeyValueArguments {
    /// Builds arguments from `key=value` words (dotted keys nest); a word without a key is an error.
    public static func build(_ words: [MonitorWord]) throws(MonitorSyntaxError) -> JSONObject {
        try build(words.map(\.token))
    }
}
