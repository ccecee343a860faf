// Typed lines (REPL input, script statements) through the same rules as messages: see ``Redaction``.

extension Redaction {
    /// The placeholder in typed lines (history, `.record` files, the statements `qmpsh run` echoes).
    public static let linePlaceholder = "***"

    /// A line as a user types it (a REPL line or a script statement) with its secrets replaced by `placeholder`.
    ///
    /// Understands every input form: `NAME key=value ...` (dotted keys, quoted values, JSON values such as
    /// `props={"data":"..."}`), raw JSON (`{"execute": ...}`), HMP (`hmp ...`, `!...`, or every line with
    /// `hmpMode`), `expect-error CLASS COMMAND ...`, and `human-monitor-command command-line="..."`. Spacing and
    /// quoting of the parts that are not secret stay as typed; raw JSON is written back compactly.
    public static func redactLine(_ line: String, placeholder: String = linePlaceholder, hmpMode: Bool = false) -> String {
        let indent = line.prefix { $0 == " " || $0 == "\t" }
        let body = line.dropFirst(indent.count)
        if hmpMode { return String(indent) + redactHMP(String(body), placeholder: placeholder) }
        if body.first == "{", let value = try? JSON(parsing: String(body)) {
            return String(indent) + redact(value, placeholder: placeholder).serialized()
        }
        if body.first == "!" {
            return String(indent) + "!" + redactHMP(String(body.dropFirst()), placeholder: placeholder)
        }
        let firstWord = body.prefix { $0 != " " && $0 != "\t" }
        if firstWord == "hmp" {
            return String(indent) + "hmp" + redactHMP(String(body.dropFirst(3)), placeholder: placeholder)
        }
        if firstWord == "expect-error" {
            // expect-error CLASS COMMAND...: the command starts after the class.
            let afterKeyword = body.dropFirst(firstWord.count)
            let space = afterKeyword.prefix { $0 == " " || $0 == "\t" }
            let rest = afterKeyword.dropFirst(space.count)
            let errorClass = rest.prefix { $0 != " " && $0 != "\t" }
            return String(indent) + "expect-error" + space + errorClass
                + redactLine(String(rest.dropFirst(errorClass.count)), placeholder: placeholder)
        }
        return String(indent) + redactKeyValueWords(body, placeholder: placeholder)
    }

    // MARK: - key=value words

    /// One whitespace-separated word of a typed line, located in the line.
    private struct TypedWord {
        var range: Range<Int>
        /// The offset of the first unquoted `=` (the key ends there).
        var equals: Int?
    }

    /// Splits at unquoted spaces and tabs; `"..."` (with `\` escapes) and `'...'` quote, `{...}` / `[...]` nest.
    private static func typedWords(_ characters: [Character]) -> [TypedWord] {
        var words: [TypedWord] = []
        var index = 0
        while index < characters.count {
            if characters[index] == " " || characters[index] == "\t" {
                index += 1
                continue
            }
            let start = index
            var equals: Int?
            var depth = 0
            while index < characters.count {
                let character = characters[index]
                if depth == 0 && (character == " " || character == "\t") { break }
                switch character {
                case "\"", "'":
                    index += 1
                    while index < characters.count && characters[index] != character {
                        if character == "\"" && characters[index] == "\\" { index += 1 }
                        index += 1
                    }
                case "{", "[": depth += 1
                case "}", "]": depth = max(0, depth - 1)
                case "=" where equals == nil && depth == 0: equals = index
                default: break
                }
                index += 1
            }
            words.append(TypedWord(range: start..<min(index, characters.count), equals: equals))
        }
        return words
    }

    /// The value of a typed word as text: quotes removed and `\` escapes in `"..."` decoded.
    private static func unquoted(_ characters: ArraySlice<Character>) -> String {
        var result = ""
        var index = characters.startIndex
        while index < characters.endIndex {
            let character = characters[index]
            if character == "\"" || character == "'" {
                let quote = character
                index += 1
                var quoted = String(quote)
                while index < characters.endIndex && characters[index] != quote {
                    if quote == "\"" && characters[index] == "\\" && index + 1 < characters.endIndex {
                        quoted.append(characters[index])
                        index += 1
                    }
                    quoted.append(characters[index])
                    index += 1
                }
                if quote == "\"", let decoded = try? JSON(parsing: quoted + "\"").stringValue {
                    result += decoded
                } else {
                    result += quoted.dropFirst()
                }
            } else {
                result.append(character)
            }
            index += 1
        }
        return result
    }

    private static func redactKeyValueWords(_ body: Substring, placeholder: String) -> String {
        let characters = Array(body)
        let words = typedWords(characters)
        let keys = words.map { word in word.equals.map { String(characters[word.range.lowerBound..<$0]) } }
        let isSecretObject = zip(words, keys).contains { word, key in
            guard let key, let equals = word.equals, key.split(separator: ".").last == "qom-type" else { return false }
            return unquoted(characters[(equals + 1)..<word.range.upperBound]) == "secret"
        }
        // A guest agent command's payload (`guest-file-write handle=1 buf-b64=...`): the command is the first word.
        let payload = words.first.flatMap { word in
            word.equals == nil ? payloadArguments[String(characters[word.range])] : nil
        } ?? []
        var result = ""
        var copied = 0
        for (word, key) in zip(words, keys) {
            guard let key, let equals = word.equals else { continue }
            let valueRange = (equals + 1)..<word.range.upperBound
            let valueText = characters[valueRange]
            let lastComponent = String(key.split(separator: ".", omittingEmptySubsequences: false).last ?? "")
            let replacement: String?
            if isSecretKey(lastComponent) || (isSecretObject && lastComponent == "data") || payload.contains(lastComponent) {
                replacement = placeholder
            } else if lastComponent == "command-line" {
                let hmp = unquoted(valueText)
                let redacted = redactHMP(hmp, placeholder: placeholder)
                replacement = redacted == hmp ? nil : JSON.string(redacted).serialized()
            } else if valueText.first == "{" || valueText.first == "[", let value = try? JSON(parsing: String(valueText)) {
                // `props={...}` of a secret object holds its `data`.
                let redacted = isSecretObject && lastComponent == "props"
                    ? redactSecretProperties(value, placeholder: placeholder) : redact(value, placeholder: placeholder)
                replacement = redacted == value ? nil : redacted.serialized()
            } else {
                replacement = nil
            }
            guard let replacement else { continue }
            result += String(characters[copied..<valueRange.lowerBound]) + replacement
            copied = valueRange.upperBound
        }
        return result + String(characters[copied...])
    }

    /// The properties of a `secret` object given apart from its type (`props={"data": ...}`).
    static func redactSecretProperties(_ value: JSON, placeholder: String) -> JSON {
        guard case .object(var object) = redact(value, placeholder: placeholder) else { return redact(value, placeholder: placeholder) }
        if object["data"] != nil { object["data"] = .string(placeholder) }
        return .object(object)
    }
}
