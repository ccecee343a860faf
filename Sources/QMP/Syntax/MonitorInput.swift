import QMPWire

/// One line of monitor input, in the syntax shared by `qmpsh exec`, the REPL and scripts.
///
/// - `NAME key=value ...` — a QMP command, as in qmp-shell. A value that parses as JSON is JSON (`size=1024`,
///   `force=true`, `props={"a":1}`), otherwise it is a string; `"double quotes"` hold a JSON string (with escapes),
///   `'single quotes'` a literal string, and either allows spaces (`command-line="info block"`). Dotted keys nest
///   (`file.driver=file file.filename=/tmp/d.qcow2`).
/// - `{"execute": ...}` — a raw QMP request, sent as is.
/// - `hmp info block` or `!info block` — a human-monitor command.
/// - a blank line or a `#` comment.
public enum MonitorInput: Sendable, Equatable {
    /// A QMP command by name, with its arguments as parsed (dotted keys already nested).
    case command(name: String, arguments: JSONObject)
    /// A raw request object with `execute` or `exec-oob`.
    case raw(JSONObject)
    /// A human-monitor command line, without its `hmp ` or `!` prefix.
    case hmp(String)
    /// A blank line or a comment: nothing to send.
    case empty

    /// Parses one line. Errors carry the 1-based column where the problem is.
    public static func parse(_ line: String) throws(MonitorSyntaxError) -> MonitorInput {
        let characters = Array(line)
        var start = 0
        while start < characters.count, characters[start].isSpace { start += 1 }
        guard start < characters.count, characters[start] != "#" else { return .empty }
        if characters[start] == "{" {
            let text = String(characters[start...])
            let value: JSON
            do {
                value = try JSON(parsing: text)
            } catch {
                throw MonitorSyntaxError("invalid JSON: \(error.message)", column: start + 1 + columnOffset(text, error.offset))
            }
            guard case .object(let object) = value, object["execute"]?.stringValue != nil || object["exec-oob"]?.stringValue != nil
            else {
                throw MonitorSyntaxError("a raw request must be an object with \"execute\": \"COMMAND\"", column: start + 1)
            }
            return .raw(object)
        }
        if characters[start] == "!" {
            let command = String(characters[(start + 1)...]).trimmingWhitespace
            guard !command.isEmpty else {
                throw MonitorSyntaxError("'!' needs a human-monitor command, e.g. !info status", column: start + 1)
            }
            return .hmp(command)
        }
        let tokens = try ArgumentTokenizer.tokens(in: characters, from: start)
        guard let first = tokens.first else { return .empty }
        guard first.isBareWord else {
            throw MonitorSyntaxError("expected a command name, found '\(first.text)'", column: first.column)
        }
        if first.text == "hmp" {
            let rest = tokens.count > 1 ? String(characters[(tokens[1].column - 1)...]) : ""
            guard !rest.trimmingWhitespace.isEmpty else {
                throw MonitorSyntaxError("'hmp' needs a human-monitor command, e.g. hmp info status", column: first.column)
            }
            return .hmp(rest.trimmingWhitespace)
        }
        guard isCommandName(first.text) else {
            throw MonitorSyntaxError("'\(first.text)' is not a command name", column: first.column)
        }
        return .command(name: first.text, arguments: try KeyValueArguments.build(Array(tokens.dropFirst())))
    }

    /// Whether `name` can be a QMP command name: letters, digits, `-`, `_` and `.` (the rule of every input form,
    /// so `qmpsh exec` and the shell agree).
    public static func isCommandName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy(\.isCommandNameCharacter)
    }

    private static func columnOffset(_ text: String, _ byteOffset: Int) -> Int {
        String(decoding: Array(text.utf8).prefix(byteOffset), as: UTF8.self).count
    }
}

/// `key=value` arguments, for command lines whose shell has already split the words (`qmpsh exec`).
public enum KeyValueArguments {
    /// Parses each element of `words` as one `key=value`; values follow the rules of ``MonitorInput``.
    /// Column numbers in errors count from the start of the offending word.
    public static func parse(_ words: [String]) throws(MonitorSyntaxError) -> JSONObject {
        var tokens: [ArgumentToken] = []
        for word in words {
            let characters = Array(word)
            tokens.append(try ArgumentTokenizer.token(in: characters, from: 0, wholeInput: true))
        }
        return try build(tokens)
    }

    /// The most levels a dotted key may nest (`a.b.c=1` is three). QEMU's arguments nest a few levels; a deeper key
    /// is a mistake, and a bound keeps every later step (validation, printing) safe from unbounded nesting.
    public static let maximumKeyDepth = 64

    static func build(_ tokens: [ArgumentToken]) throws(MonitorSyntaxError) -> JSONObject {
        var root = JSON.object([:])
        for token in tokens {
            guard let key = token.key else {
                throw MonitorSyntaxError("expected key=value, found '\(token.text)'", column: token.column)
            }
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.contains(where: \.isEmpty) else {
                throw MonitorSyntaxError("invalid argument name '\(key.abbreviatedKey)'", column: token.column)
            }
            guard path.count <= maximumKeyDepth else {
                throw MonitorSyntaxError(
                    "argument name '\(key.abbreviatedKey)' nests \(path.count) levels deep (at most \(maximumKeyDepth))",
                    column: token.column)
            }
            let value = try token.jsonValue()
            try insert(value, at: path[...], into: &root, fullKey: key, column: token.column)
        }
        return root.objectValue ?? [:]
    }

    private static func insert(
        _ value: JSON, at path: ArraySlice<String>, into node: inout JSON, fullKey: String, column: Int
    ) throws(MonitorSyntaxError) {
        guard case .object(var object) = node else {
            throw MonitorSyntaxError("'\(fullKey)' conflicts with an earlier argument that is not an object", column: column)
        }
        let head = path.first!
        if path.count == 1 {
            if object[head] != nil {
                throw MonitorSyntaxError("argument '\(fullKey)' is given twice", column: column)
            }
            object[head] = value
        } else {
            var child = object[head] ?? .object([:])
            if case .object = child {} else {
                throw MonitorSyntaxError(
                    "'\(fullKey)' nests under '\(head)', which already has a value that is not an object", column: column)
            }
            object[head] = nil
            try insert(value, at: path.dropFirst(), into: &child, fullKey: fullKey, column: column)
            object[head] = child
        }
        node = .object(object)
    }
}

/// A syntax error in monitor input, with the 1-based column where it was found.
public struct MonitorSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `unterminated string`.
    public var message: String
    /// The 1-based column (in characters) where it was found.
    public var column: Int

    /// An error at 1-based `column`.
    public init(_ message: String, column: Int) {
        self.message = message
        self.column = column
    }

    /// `column N: message`.
    public var description: String { "column \(column): \(message)" }
}

extension Character {
    var isCommandNameCharacter: Bool {
        if let ascii = asciiValue {
            return (ascii >= 97 && ascii <= 122) || (ascii >= 65 && ascii <= 90) || (ascii >= 48 && ascii <= 57)
                || ascii == 45 || ascii == 95 || ascii == 46
        }
        return isLetter || isNumber
    }

    /// `isWhitespace` with a fast path for ASCII: the Unicode property lookup dominated parsing long scripts.
    package var isSpace: Bool {
        if let ascii = asciiValue { return ascii == 32 || (ascii >= 9 && ascii <= 13) }
        return isWhitespace
    }
}

extension String {
    /// A long argument name cut to its first 40 characters for messages.
    var abbreviatedKey: String { count > 40 ? String(prefix(40)) + "…" : self }
}

extension StringProtocol {
    /// Without white space at either end (shared by the monitor syntax, scripts and the shell).
    package var trimmingWhitespace: String {
        var slice = Substring(self)
        while slice.first?.isSpace == true { slice.removeFirst() }
        while slice.last?.isSpace == true { slice.removeLast() }
        return String(slice)
    }
}
