import QMP
import QMPWire

/// Parses `.qmp` scripts (see ``Script``): the whole text at once, collecting every error.
///
/// Variables: `set NAME=VALUE` defines `${NAME}` for the lines after it; `overrides` (from `--var NAME=VALUE` and
/// `QMPSH_VAR_NAME` environment variables) win over the script's own `set`. Only these explicit variables expand:
/// `${HOME}` is an error unless the script or the caller defines it, so no path changes with the caller's environment
/// by accident. `$${` writes a literal `${`.
///
/// Expansion is bounded: a statement may not grow past ``maximumStatementBytes`` through variables, nor the whole
/// script past ``maximumExpansionBytes`` of expanded values; past either, the error is at `FILE:LINE:COL` of the
/// `${` that crossed it (24 lines of `set b=${a}${a}` would otherwise need gigabytes).
public struct ScriptParser: Sendable {
    /// The longest a statement may be after expansion, in UTF-8 bytes (1 MiB by default).
    public var maximumStatementBytes = 1 << 20
    /// The most bytes variable values may add to a whole script (16 MiB by default).
    public var maximumExpansionBytes = 16 << 20

    /// Variables that win over `set`.
    public var overrides: [String: String]

    /// A parser whose `overrides` win over the scripts' own `set` lines.
    public init(overrides: [String: String] = [:]) {
        self.overrides = overrides
    }

    /// Variable overrides from the environment: each `QMPSH_VAR_NAME=VALUE` gives `NAME`.
    public static func environmentOverrides(_ environment: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in environment where key.hasPrefix("QMPSH_VAR_") && key.count > 10 {
            result[String(key.dropFirst(10))] = value
        }
        return result
    }

    /// Parses `text`; throws ``ScriptErrors`` listing every problem (with `file` in each message).
    ///
    /// A UTF-8 byte order mark at the start (some editors write one) is skipped: it is invisible, and would
    /// otherwise make the first word an unknown command.
    public func parse(_ text: String, file: String) throws(ScriptErrors) -> Script {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        var variables = overrides
        var statements: [ScriptStatement] = []
        var errors: [ScriptError] = []
        var transactions = TransactionCollector()
        var expansionBudget = maximumExpansionBytes
        // Lines end at "\n" (or "\r\n"): split on the UTF-8 bytes, which is several times cheaper than splitting
        // Characters ("\r\n" is one Character) on a script of thousands of lines (issue 14, perf).
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            var bytes = rawLine
            // As before: a line loses its "\r\n" or "\n", then one more "\r" if it ends in one.
            if offset < lines.count - 1, bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            let source = String(Substring(bytes))
            let number = offset + 1
            func report(_ message: String, column: Int) {
                errors.append(ScriptError(file: file, line: number, column: column, message: message, sourceLine: source))
            }
            // Most lines start and end with a printable ASCII character: no white space to trim there.
            let plain = Self.hasPrintableASCIIEnds(source)
            if plain {
                if source.utf8.first == UInt8(ascii: "#") { continue }
            } else {
                let trimmed = source.drop(while: \.isSpace)
                if trimmed.isEmpty || trimmed.first == "#" { continue }
            }
            let expanded: (text: String, columns: [Int])
            do {
                expanded = try expand(source, variables: variables, budget: &expansionBudget)
            } catch {
                report(error.message, column: error.column)
                // Past the script's budget every later expansion fails the same way: one error is enough.
                if expansionBudget < 0 { break }
                continue
            }
            // `transaction( ... )` blocks (ScriptParser+Transaction.swift).
            if transactions.takes(expanded.text) {
                do {
                    if let statement = try transactions.add(
                        number: number, source: source, expanded: expanded.text, columnMap: expanded.columns)
                    {
                        statements.append(statement)
                    }
                } catch {
                    let columns = expanded.columns
                    report(error.message, column: columns.isEmpty ? error.column
                        : error.column <= columns.count ? columns[max(error.column - 1, 0)] : (columns.last ?? 0) + 1)
                }
                continue
            }
            do {
                let kind = try Self.statement(expanded.text)
                let unchanged = expanded.columns.isEmpty ? plain : Self.hasPrintableASCIIEnds(expanded.text)
                let statement = ScriptStatement(
                    line: number, text: unchanged ? expanded.text : expanded.text.trimmingWhitespace, source: source,
                    kind: kind, columnMap: expanded.columns)
                if case .set(let name, let value) = kind, overrides[name] == nil { variables[name] = value }
                statements.append(statement)
            } catch {
                let columns = expanded.columns
                let column = columns.isEmpty ? error.column
                    : error.column <= columns.count ? columns[max(error.column - 1, 0)] : (columns.last ?? 0) + 1
                report(error.message, column: column)
            }
        }
        if let open = transactions.unfinished() {
            errors.append(ScriptError(
                file: file, line: open.number, column: 1 + open.source.prefix(while: \.isSpace).count,
                message: "unfinished transaction block: no `)` before the end of the script (nothing is sent)",
                sourceLine: open.source))
        }
        if !errors.isEmpty { throw ScriptErrors(errors) }
        return Script(file: file, statements: statements, variables: variables)
    }

    // MARK: - Variables

    /// Expands `${NAME}`; returns the text and, for each of its characters, the 1-based source column.
    /// `budget` is what the script may still add (``maximumExpansionBytes``); it goes negative when exhausted.
    func expand(_ line: String, variables: [String: String], budget: inout Int) throws(MonitorSyntaxError)
        -> (String, [Int])
    {
        // No `$`: the text is the line, and an empty map means columns are unchanged.
        let hasDollar = line.utf8.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: "$")) }
            ?? line.utf8.contains(UInt8(ascii: "$"))
        guard hasDollar else { return (line, []) }
        var size = line.utf8.count
        let characters = Array(line)
        var output = ""
        var columns: [Int] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "$", index + 2 < characters.count, characters[index + 1] == "$", characters[index + 2] == "{" {
                output += "${"
                columns += [index + 1, index + 3]
                index += 3
                continue
            }
            if character == "$", index + 1 < characters.count, characters[index + 1] == "{" {
                guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                    throw MonitorSyntaxError("'${' without a closing '}'", column: index + 1)
                }
                let name = String(characters[(index + 2)..<close])
                guard Self.isVariableName(name) else {
                    throw MonitorSyntaxError("'\(name)' is not a variable name (letters, digits, _)", column: index + 3)
                }
                guard let value = variables[name] else {
                    let known = variables.keys.sorted()
                    var message = "undefined variable '\(name)': define it with `set \(name)=...` above, or --var \(name)=..."
                    if let close = Self.closest(to: name, in: known) { message += " (did you mean '\(close)'?)" }
                    throw MonitorSyntaxError(message, column: index + 1)
                }
                let added = value.utf8.count
                size += added
                budget -= added
                guard size <= maximumStatementBytes else {
                    throw MonitorSyntaxError(
                        "expanding '${\(name)}' makes the statement longer than \(maximumStatementBytes) bytes",
                        column: index + 1)
                }
                guard budget >= 0 else {
                    throw MonitorSyntaxError(
                        "expanding '${\(name)}' takes the script's expanded variables past \(maximumExpansionBytes) bytes",
                        column: index + 1)
                }
                output += value
                columns += Array(repeating: index + 1, count: value.count)
                index = close + 1
                continue
            }
            output.append(character)
            columns.append(index + 1)
            index += 1
        }
        return (output, columns)
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    static func closest(to name: String, in candidates: [String]) -> String? {
        candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= max(2, name.count / 3) }
            .min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    // MARK: - Statements

    /// The statement keywords; anything else is a monitor command.
    public static let keywords: Set<String> = ["expect", "expect-error", "wait", "console-expect", "console-send", "set", "sleep"]

    /// For each byte, whether a statement keyword (of ``keywords``, the agent's and the long operations') starts
    /// with it.
    static let keywordInitials: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for word in keywords.union(agentKeywords).union(longOperationKeywords) {
            if let first = word.utf8.first { table[Int(first)] = true }
        }
        return table
    }()

    static func statement(_ text: String) throws(MonitorSyntaxError) -> ScriptStatement.Kind {
        // The keyword is ASCII when it is one: find it on the UTF-8 view (cheap), and only build the character
        // array for statements that need it.
        let utf8 = Array(text.utf8)
        var byte = 0
        while byte < utf8.count, utf8[byte] == 32 || utf8[byte] == 9 { byte += 1 }
        var keywordEnd = byte
        while keywordEnd < utf8.count, utf8[keywordEnd] != 32, utf8[keywordEnd] != 9 { keywordEnd += 1 }
        let keyword = String(decoding: utf8[byte..<keywordEnd], as: UTF8.self)
        // Most commands start with a letter no keyword starts with: no keyword look-ups for them.
        let mayBeKeyword = byte < keywordEnd && keywordInitials[Int(utf8[byte])]
        if mayBeKeyword, agentKeywords.contains(keyword) { return try agentStatement(keyword, text) }  // issue 16
        if mayBeKeyword, let kind = try longOperationStatement(keyword, text: text, keywordEnd: keywordEnd) {  // issue 17
            return kind
        }
        guard mayBeKeyword && keywords.contains(keyword) else {
            // A command without arguments (`query-status`): what `MonitorInput.parse` gives for it, without its
            // tokenizer (issue 14: ~30 000 instructions a line of a long generated script).
            if Self.isBareCommand(utf8, from: byte, to: keywordEnd) {
                return .command(.command(name: keyword, arguments: [:]), argumentColumns: [:])
            }
            let input = try MonitorInput.parse(text)
            return .command(input, argumentColumns: try argumentColumns(text, input))
        }
        let characters = Array(text)
        var start = 0
        while start < characters.count, characters[start].isSpace { start += 1 }
        var end = start
        while end < characters.count, !characters[end].isSpace { end += 1 }
        let keywordColumn = start + 1
        switch keyword {
        case "set":
            let words = try MonitorWord.split(text, from: end)
            guard words.count == 1, let word = words.first, let name = word.key else {
                throw MonitorSyntaxError("expected `set NAME=VALUE` (quote a value with spaces)", column: words.first?.column ?? end + 1)
            }
            guard isVariableName(name) else {
                throw MonitorSyntaxError("'\(name)' is not a variable name (letters, digits, _)", column: word.column)
            }
            return .set(name: name, value: word.stringValue)
        case "sleep":
            let words = try MonitorWord.split(text, from: end)
            guard words.count == 1, words[0].key == nil, let seconds = Double(words[0].text), seconds >= 0 else {
                throw MonitorSyntaxError("expected `sleep SECONDS`, e.g. sleep 0.5", column: words.first?.column ?? end + 1)
            }
            do { return .sleep(try Seconds.check(seconds, name: "sleep", allowsZero: true)) } catch {
                throw MonitorSyntaxError(error.description, column: words[0].column)
            }
        case "expect":
            return .expect(try expectation(characters, from: end, keywordColumn: keywordColumn))
        case "expect-error":
            let words = try MonitorWord.split(text, from: end)
            guard let classWord = words.first, classWord.key == nil, !classWord.isQuoted,
                  classWord.text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            else {
                throw MonitorSyntaxError(
                    "expected `expect-error CLASS COMMAND ...`, e.g. expect-error DeviceNotFound device_del id=x",
                    column: words.first?.column ?? end + 1)
            }
            let commandStart = classWord.column - 1 + classWord.text.count
            let padded = String(repeating: " ", count: commandStart) + String(characters[commandStart...])
            let input = try MonitorInput.parse(padded)
            guard input != .empty else {
                throw MonitorSyntaxError("expect-error needs the command that must fail after the class", column: commandStart + 1)
            }
            return .expectError(errorClass: classWord.text, command: input, argumentColumns: try argumentColumns(padded, input))
        case "wait":
            let words = try MonitorWord.split(text, from: end)
            guard let eventWord = words.first, eventWord.key == nil, !eventWord.isQuoted,
                  eventWord.text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            else {
                throw MonitorSyntaxError(
                    "expected `wait EVENT [key=value ...] [timeout=SECONDS]`, e.g. wait DEVICE_DELETED device=vd1",
                    column: words.first?.column ?? end + 1)
            }
            var timeout: Duration?
            var matchWords: [MonitorWord] = []
            for word in words.dropFirst() {
                guard word.key != nil else {
                    throw MonitorSyntaxError("expected key=value to match the event's data, found '\(word.text)'", column: word.column)
                }
                if word.key == "timeout" {
                    timeout = try seconds(word)
                } else {
                    matchWords.append(word)
                }
            }
            let object = try KeyValueArguments.build(matchWords)
            return .wait(event: eventWord.text, matching: flatten(.object(object), prefix: ""), timeout: timeout)
        case "console-expect", "console-send":
            let words = try MonitorWord.split(text, from: end)
            guard let textWord = words.first, textWord.key == nil else {
                throw MonitorSyntaxError(
                    "expected `\(keyword) \"TEXT\"`" + (keyword == "console-expect" ? " [timeout=SECONDS] [regex=true]" : ""),
                    column: words.first?.column ?? end + 1)
            }
            let content = textWord.stringValue
            guard !content.isEmpty else { throw MonitorSyntaxError("\(keyword) needs some text", column: textWord.column) }
            if keyword == "console-send" {
                if let extra = words.dropFirst().first {
                    throw MonitorSyntaxError("unexpected '\(extra.text)': console-send takes one quoted text", column: extra.column)
                }
                return .consoleSend(content)
            }
            var timeout: Duration?
            var isRegex = false
            for word in words.dropFirst() {
                switch word.key {
                case "timeout": timeout = try seconds(word)
                case "regex":
                    guard case .bool(let flag) = try word.value() else {
                        throw MonitorSyntaxError("regex= takes true or false", column: word.valueColumn)
                    }
                    isRegex = flag
                default:
                    throw MonitorSyntaxError(
                        "unexpected '\(word.text)': console-expect takes one quoted text, timeout= and regex=", column: word.column)
                }
            }
            if isRegex {
                do { _ = try LinearRegex(content) } catch {
                    throw MonitorSyntaxError("invalid regular expression: \(error)", column: textWord.column)
                }
            }
            return .consoleExpect(text: content, isRegex: isRegex, timeout: timeout)
        default:
            let input = try MonitorInput.parse(text)
            return .command(input, argumentColumns: try argumentColumns(text, input))
        }
    }

    /// `expect PATH [OP VALUE]`.
    private static func expectation(_ characters: [Character], from start: Int, keywordColumn: Int) throws(MonitorSyntaxError)
        -> ScriptExpectation
    {
        let words = try MonitorWord.split(String(characters), from: start)
        guard let pathWord = words.first else {
            throw MonitorSyntaxError("expected `expect PATH OP VALUE`, e.g. expect .status == \"running\"", column: keywordColumn)
        }
        let path: JSONPath
        do {
            path = try JSONPath(parsing: pathWord.text)
        } catch {
            throw MonitorSyntaxError(error.message, column: pathWord.column + error.column - 1)
        }
        guard words.count > 1 else { return ScriptExpectation(path: path, op: .truthy, value: .null) }
        let opWord = words[1]
        guard let op = ScriptExpectation.Operator(rawValue: opWord.text), op != .truthy else {
            let names = ScriptExpectation.Operator.allCases.filter { $0 != .truthy }.map(\.rawValue).joined(separator: " ")
            throw MonitorSyntaxError("unknown operator '\(opWord.text)' (use one of: \(names))", column: opWord.column)
        }
        guard words.count > 2 else {
            throw MonitorSyntaxError("'\(op.rawValue)' needs a value after it", column: opWord.column + opWord.text.count)
        }
        if words.count > 3 {
            throw MonitorSyntaxError(
                "unexpected '\(words[3].text)' after the value (quote a value with spaces)", column: words[3].column)
        }
        let valueWord = words[2]
        let value: JSON = valueWord.key != nil ? .string(valueWord.text) : try valueWord.value()
        switch op {
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard value.numericValue != nil else {
                throw MonitorSyntaxError("'\(op.rawValue)' compares numbers; '\(valueWord.text)' is not one", column: valueWord.column)
            }
        case .matches:
            guard case .string(let pattern) = value else {
                throw MonitorSyntaxError("'matches' takes a regular expression in quotes", column: valueWord.column)
            }
            do { _ = try LinearRegex(pattern) } catch {
                throw MonitorSyntaxError("invalid regular expression: \(error)", column: valueWord.column)
            }
        default: break
        }
        return ScriptExpectation(path: path, op: op, value: value)
    }

    static func seconds(_ word: MonitorWord) throws(MonitorSyntaxError) -> Duration {
        let name = "\(word.key ?? "timeout")="
        guard let seconds = (try? word.value())?.numericValue, seconds > 0 else {
            throw MonitorSyntaxError("\(name) takes a number of seconds above 0", column: word.valueColumn)
        }
        do { return try Seconds.check(seconds, name: name) } catch {
            throw MonitorSyntaxError(error.description, column: word.valueColumn)
        }
    }

    /// Leaves of a nested object as dotted paths (`{"a":{"b":1}}` → `a.b = 1`); an empty object is matched as is.
    static func flatten(_ value: JSON, prefix: String) -> [(path: String, value: JSON)] {
        guard case .object(let object) = value, !object.isEmpty || prefix.isEmpty else { return [(prefix, value)] }
        return object.members.flatMap { member in
            flatten(member.value, prefix: prefix.isEmpty ? member.key : prefix + "." + member.key)
        }
    }

    /// The column of each top-level argument key (`file.filename` → column of `file.filename=`), for messages.
    /// Whether the first and the last UTF-8 byte of `text` are printable ASCII characters (`!` to `~`): then it has
    /// no white space to trim at either end (`trimmingWhitespace` would return it unchanged).
    static func hasPrintableASCIIEnds(_ text: String) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        return first > 32 && first < 127 && last > 32 && last < 127
    }

    /// Whether the line is one word of command-name characters (ASCII letters, digits, `-`, `_`, `.`) from `start`
    /// to `end`, followed by nothing but spaces and tabs, and is not `hmp`: `MonitorInput.parse` reads such a line as
    /// that command with no arguments.
    static func isBareCommand(_ utf8: [UInt8], from start: Int, to end: Int) -> Bool {
        guard start < end else { return false }
        for byte in utf8[start..<end] {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            default:
                return false
            }
        }
        guard utf8[end...].allSatisfy({ $0 == 32 || $0 == 9 }) else { return false }
        return !(end - start == 3 && utf8[start] == UInt8(ascii: "h") && utf8[start + 1] == UInt8(ascii: "m")
            && utf8[start + 2] == UInt8(ascii: "p"))
    }

    static func argumentColumns(_ text: String, _ input: MonitorInput) throws(MonitorSyntaxError) -> [String: Int] {
        guard case .command(_, let arguments) = input, !arguments.isEmpty else { return [:] }
        var columns: [String: Int] = [:]
        for word in try MonitorWord.split(text) {
            if let key = word.key, columns[key] == nil { columns[key] = word.column }
        }
        return columns
    }
}

