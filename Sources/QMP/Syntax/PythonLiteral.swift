import QMPWire

/// Reads the Python notation that qmp-shell accepts for object and array values (`{'a': 1}`, `[True, None]`,
/// `{"a": 1,}`) and turns it into JSON.
///
/// Accepted: dictionaries with string keys, lists, strings in single or double quotes (with the escapes
/// `\\ \' \" \n \t \r \0 \xHH \uHHHH`), integers, floats, `True/False/None` and their JSON spellings
/// `true/false/null`, a trailing comma before `]` or `}`. Anything else (expressions, tuples, sets, bytes) is not
/// Python notation: ``parse(_:)`` returns `nil`, and the caller treats the value as a plain string.
enum PythonLiteral {
    /// Deeper values are not taken as Python notation (the same bound as the JSON parser's).
    static let maximumDepth = 512

    /// The JSON for `text`, or `nil` when `text` is not one whole Python literal.
    static func parse(_ text: String) -> JSON? {
        var reader = Reader(characters: Array(text.unicodeScalars))
        guard let value = reader.value(depth: 0) else { return nil }
        reader.skipSpace()
        return reader.atEnd ? value : nil
    }

    private struct Reader {
        let characters: [Unicode.Scalar]
        var index = 0

        var atEnd: Bool { index >= characters.count }
        var current: Unicode.Scalar? { atEnd ? nil : characters[index] }

        mutating func skipSpace() {
            while let character = current, character == " " || character == "\t" || character == "\n" || character == "\r" {
                index += 1
            }
        }

        mutating func value(depth: Int) -> JSON? {
            guard depth < PythonLiteral.maximumDepth else { return nil }
            skipSpace()
            guard let character = current else { return nil }
            switch character {
            case "{": return dictionary(depth: depth)
            case "[": return list(depth: depth)
            case "'", "\"": return string().map(JSON.string)
            default: return scalar()
            }
        }

        private mutating func dictionary(depth: Int) -> JSON? {
            index += 1
            var object = JSONObject()
            while true {
                skipSpace()
                if current == "}" {
                    index += 1
                    return .object(object)
                }
                guard current == "'" || current == "\"", let key = string() else { return nil }
                skipSpace()
                guard current == ":" else { return nil }
                index += 1
                guard let member = value(depth: depth + 1) else { return nil }
                object[key] = member
                skipSpace()
                if current == "," {
                    index += 1
                } else if current != "}" {
                    return nil
                }
            }
        }

        private mutating func list(depth: Int) -> JSON? {
            index += 1
            var elements: [JSON] = []
            while true {
                skipSpace()
                if current == "]" {
                    index += 1
                    return .array(elements)
                }
                guard let element = value(depth: depth + 1) else { return nil }
                elements.append(element)
                skipSpace()
                if current == "," {
                    index += 1
                } else if current != "]" {
                    return nil
                }
            }
        }

        private mutating func string() -> String? {
            guard let quote = current else { return nil }
            index += 1
            var result = String.UnicodeScalarView()
            while let character = current {
                index += 1
                if character == quote { return String(result) }
                guard character == "\\" else {
                    if character == "\n" { return nil }
                    result.append(character)
                    continue
                }
                guard let escaped = current else { return nil }
                index += 1
                switch escaped {
                case "\\", "'", "\"": result.append(escaped)
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "0": result.append("\0")
                case "x", "u":
                    let count = escaped == "x" ? 2 : 4
                    guard index + count <= characters.count,
                          let code = UInt32(String(String.UnicodeScalarView(characters[index..<(index + count)])), radix: 16),
                          let scalar = Unicode.Scalar(code)
                    else { return nil }
                    result.append(scalar)
                    index += count
                default:
                    // Python keeps an unknown escape as written.
                    result.append("\\")
                    result.append(escaped)
                }
            }
            return nil
        }

        private mutating func scalar() -> JSON? {
            let start = index
            while let character = current, character.properties.isAlphabetic || ("0"..."9").contains(character)
                || character == "-" || character == "+" || character == "." || character == "_"
            {
                index += 1
            }
            let word = String(String.UnicodeScalarView(characters[start..<index]))
            switch word {
            case "True", "true": return .bool(true)
            case "False", "false": return .bool(false)
            case "None", "null": return .null
            case "": return nil
            default:
                // Numbers as JSON writes them (Python's own forms such as `1_000` or `0x10` are not taken).
                guard let number = try? JSON(parsing: word) else { return nil }
                switch number {
                case .int, .uint, .double: return number
                default: return nil
                }
            }
        }
    }
}
