/// A regular expression matcher whose time is linear in the text (a Pike virtual machine: every thread advances one
/// character at a time, at most one thread per instruction), so no pattern and no text can make it backtrack for
/// ever. Swift's `Regex` backtracks: `^(\w|\W|.)*(\w|\W|.)*Z$` on a 40-character string runs for minutes, and its
/// matching does not stop when the task is cancelled.
///
/// Used by scripts' `expect ... matches` and `console-expect ... regex=true`, where the text comes from QEMU or a
/// guest. The syntax is the usual one, on Swift `Character`s (as `Regex` matches by default): literals, `.` (not a
/// line break), `[...]` and `[^...]` with ranges, `\d \D \w \W \s \S`, `\b \B`, `^ $` (start and end of the text),
/// `\A \z`, groups `(...)`, `(?:...)`, `(?<name>...)`, alternation `|`, and the quantifiers `* + ? {n} {n,} {n,m}`,
/// each also lazy (`*?`). Back-references and look-around cannot run in linear time and are refused when the
/// pattern is compiled, with the column of the construct.
///
/// Whether a text matches is the same as with `Regex`, and so is the leftmost match, chosen as a backtracking
/// matcher would, with one exception: when a repeated group can match the empty string (`(c*|b?)+`), `Regex`
/// stops repeating after an empty iteration while this matcher may go on to a longer match that starts at the
/// same place.
package struct LinearRegex: Sendable {
    /// The largest program a pattern may compile to (repetition counts multiply it).
    package static let maximumInstructions = 20_000

    private let program: [Instruction]

    /// Compiles `pattern`; throws ``LinearRegexError`` with a message and a 1-based column.
    package init(_ pattern: String) throws(LinearRegexError) {
        var parser = Parser(Array(pattern))
        let node = try parser.parseAll()
        var compiler = Compiler()
        try compiler.emit(node)
        compiler.program.append(.match)
        program = compiler.program
    }

    /// Whether the pattern matches anywhere in `text`.
    package func matches(in text: String) -> Bool {
        firstMatch(in: text) != nil
    }

    /// The leftmost match, chosen among the alternatives in the order a backtracking matcher would try them.
    package func firstMatch(in text: String) -> Range<String.Index>? {
        let characters = Array(text)
        var indices = Array(text.indices)
        indices.append(text.endIndex)
        guard let (start, end) = run(characters) else { return nil }
        return indices[start]..<indices[end]
    }

    // MARK: - Machine

    private struct Thread {
        var pc: Int
        var start: Int
    }

    private func run(_ text: [Character]) -> (Int, Int)? {
        var current: [Thread] = []
        var next: [Thread] = []
        var seen = [Int](repeating: -1, count: program.count)
        var stack: [Thread] = []
        var found: (Int, Int)?
        current.reserveCapacity(program.count)
        next.reserveCapacity(program.count)

        // Follows jumps, splits and assertions from `thread` at `position`, appending the threads that wait on a
        // character (or a match) to `list` in priority order.
        func add(_ thread: Thread, at position: Int, to list: inout [Thread], mark: Int) {
            stack.append(thread)
            while let item = stack.popLast() {
                guard seen[item.pc] != mark else { continue }
                seen[item.pc] = mark
                switch program[item.pc] {
                case .jump(let target):
                    stack.append(Thread(pc: target, start: item.start))
                case .split(let first, let second):
                    stack.append(Thread(pc: second, start: item.start))
                    stack.append(Thread(pc: first, start: item.start))
                case .assert(let assertion):
                    if assertion.holds(in: text, at: position) { stack.append(Thread(pc: item.pc + 1, start: item.start)) }
                default:
                    list.append(item)
                }
            }
        }

        var mark = 0
        add(Thread(pc: 0, start: 0), at: 0, to: &current, mark: mark)
        for position in 0...text.count {
            // No thread left: done once a match was found; otherwise the next start position brings one.
            if current.isEmpty && found != nil { break }
            mark += 1
            next.removeAll(keepingCapacity: true)
            let character: Character? = position < text.count ? text[position] : nil
            // The character's classes, computed once for all threads (Unicode property lookups are not cheap).
            let classes = character.map(CharacterSet.Classes.init)
            for thread in current {
                switch program[thread.pc] {
                case .match:
                    found = (thread.start, position)
                case .character(let expected):
                    if character == expected { add(Thread(pc: thread.pc + 1, start: thread.start), at: position + 1, to: &next, mark: mark) }
                case .any:
                    if let character, !character.isNewline {
                        add(Thread(pc: thread.pc + 1, start: thread.start), at: position + 1, to: &next, mark: mark)
                    }
                case .set(let set):
                    if let character, let classes, set.contains(character, classes) {
                        add(Thread(pc: thread.pc + 1, start: thread.start), at: position + 1, to: &next, mark: mark)
                    }
                case .jump, .split, .assert:
                    break
                }
                // Threads after a match have lower priority: the match stands unless a higher one goes on.
                if case .match = program[thread.pc] { break }
            }
            swap(&current, &next)
            if found == nil && position < text.count {
                // A thread starting here ranks below every thread that started earlier: leftmost wins. Same mark:
                // an instruction a thread already waits on needs no second, lower-priority thread.
                add(Thread(pc: 0, start: position + 1), at: position + 1, to: &current, mark: mark)
            }
        }
        return found
    }

    // MARK: - Program

    fileprivate enum Instruction: Sendable {
        case character(Character)
        case any
        case set(CharacterSet)
        case assert(Assertion)
        case jump(Int)
        case split(Int, Int)
        case match
    }

    fileprivate enum Assertion: Sendable {
        case start, end, wordBoundary, notWordBoundary

        func holds(in text: [Character], at position: Int) -> Bool {
            switch self {
            case .start: return position == 0
            case .end: return position == text.count
            case .wordBoundary, .notWordBoundary:
                let before = position > 0 && CharacterSet.isWord(text[position - 1])
                let after = position < text.count && CharacterSet.isWord(text[position])
                return (before != after) == (self == .wordBoundary)
            }
        }
    }

    fileprivate struct CharacterSet: Sendable {
        enum Item: Sendable {
            case character(Character)
            case range(Character, Character)
            case digit(Bool), word(Bool), space(Bool)
        }
        var items: [Item] = []
        var negated = false

        /// What `\d`, `\w` and `\s` say of one character.
        struct Classes {
            var digit: Bool, word: Bool, space: Bool
            init(_ character: Character) {
                digit = CharacterSet.isDigit(character)
                word = CharacterSet.isWord(character)
                space = character.isWhitespace
            }
        }

        func contains(_ character: Character, _ classes: Classes) -> Bool {
            let inside = items.contains { item in
                switch item {
                case .character(let c): return c == character
                case .range(let low, let high): return low <= character && character <= high
                case .digit(let yes): return classes.digit == yes
                case .word(let yes): return classes.word == yes
                case .space(let yes): return classes.space == yes
                }
            }
            return inside != negated
        }

        static func isDigit(_ character: Character) -> Bool { character.isWholeNumber && character.wholeNumberValue.map { $0 < 10 } == true }
        static func isWord(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
    }

    // MARK: - Syntax tree and parser

    fileprivate indirect enum Node {
        case empty
        case instruction(Instruction)
        case sequence([Node])
        case alternation([Node])
        case repeated(Node, minimum: Int, maximum: Int?, lazy: Bool)
    }

    private struct Parser {
        let pattern: [Character]
        var index = 0
        var depth = 0

        init(_ pattern: [Character]) { self.pattern = pattern }

        func error(_ message: String, at position: Int? = nil) -> LinearRegexError {
            LinearRegexError(message: message, column: (position ?? index) + 1)
        }

        mutating func parseAll() throws(LinearRegexError) -> Node {
            let node = try parseAlternation()
            if index < pattern.count { throw error("unbalanced ')'") }
            return node
        }

        mutating func parseAlternation() throws(LinearRegexError) -> Node {
            depth += 1
            defer { depth -= 1 }
            guard depth < 200 else { throw error("groups nested too deeply") }
            var branches = [try parseSequence()]
            while index < pattern.count && pattern[index] == "|" {
                index += 1
                branches.append(try parseSequence())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseSequence() throws(LinearRegexError) -> Node {
            var items: [Node] = []
            while index < pattern.count && pattern[index] != "|" && pattern[index] != ")" {
                var atom = try parseAtom()
                while index < pattern.count, let (minimum, maximum) = try parseQuantifier() {
                        var lazy = false
                    if index < pattern.count && pattern[index] == "?" {
                        lazy = true
                        index += 1
                    } else if index < pattern.count && pattern[index] == "+" {
                        throw error("possessive quantifiers are not supported")
                    }
                    atom = .repeated(atom, minimum: minimum, maximum: maximum, lazy: lazy)
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : items.isEmpty ? .empty : .sequence(items)
        }

        /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`; `nil` when the next character starts none (a `{` that is not a
        /// count is a literal, as in other engines).
        mutating func parseQuantifier() throws(LinearRegexError) -> (Int, Int?)? {
            switch pattern[index] {
            case "*": index += 1; return (0, nil)
            case "+": index += 1; return (1, nil)
            case "?": index += 1; return (0, 1)
            case "{":
                var probe = index + 1
                func number() -> Int? {
                    var digits = ""
                    while probe < pattern.count, let digit = pattern[probe].wholeNumberValue, pattern[probe].isASCII {
                        digits.append(String(digit))
                        probe += 1
                    }
                    return digits.isEmpty ? nil : Int(digits.prefix(9))
                }
                guard let minimum = number() else { return nil }
                var maximum: Int? = minimum
                if probe < pattern.count && pattern[probe] == "," {
                    probe += 1
                    maximum = number()
                }
                guard probe < pattern.count && pattern[probe] == "}" else { return nil }
                if let maximum, maximum < minimum { throw error("{\(minimum),\(maximum)}: the maximum is below the minimum") }
                if minimum > 1000 || (maximum ?? 0) > 1000 { throw error("repetition counts above 1000 are not supported") }
                index = probe + 1
                return (minimum, maximum)
            default:
                return nil
            }
        }

        mutating func parseAtom() throws(LinearRegexError) -> Node {
            let character = pattern[index]
            let start = index
            index += 1
            switch character {
            case "(":
                if index < pattern.count && pattern[index] == "?" {
                    let rest = String(pattern[index..<min(index + 3, pattern.count)])
                    if rest.hasPrefix("?:") {
                        index += 2
                    } else if rest.hasPrefix("?<") && !rest.hasPrefix("?<=") && !rest.hasPrefix("?<!") {
                        guard let close = pattern[index...].firstIndex(of: ">") else { throw error("unterminated group name", at: start) }
                        index = close + 1
                    } else if rest.hasPrefix("?=") || rest.hasPrefix("?!") || rest.hasPrefix("?<") {
                        throw error("look-around cannot be matched in linear time and is not supported", at: start)
                    } else {
                        throw error("group options (?...) are not supported", at: start)
                    }
                }
                let inner = try parseAlternation()
                guard index < pattern.count && pattern[index] == ")" else { throw error("'(' without a closing ')'", at: start) }
                index += 1
                return inner
            case ")": throw error("unbalanced ')'", at: start)
            case "*", "+", "?": throw error("nothing to repeat", at: start)
            case ".": return .instruction(.any)
            case "^": return .instruction(.assert(.start))
            case "$": return .instruction(.assert(.end))
            case "[": return .instruction(.set(try parseSet(start: start)))
            case "\\": return try parseEscape(start: start, inSet: false).node
            default: return .instruction(.character(character))
            }
        }

        mutating func parseSet(start: Int) throws(LinearRegexError) -> CharacterSet {
            var set = CharacterSet()
            if index < pattern.count && pattern[index] == "^" {
                set.negated = true
                index += 1
            }
            var first = true
            while true {
                guard index < pattern.count else { throw error("'[' without a closing ']'", at: start) }
                let character = pattern[index]
                if character == "]" && !first {
                    index += 1
                    return set
                }
                first = false
                if character == "[" && index + 1 < pattern.count && pattern[index + 1] == ":" {
                    throw error("POSIX classes ([:alpha:]) are not supported; use \\d, \\w, \\s or a range")
                }
                let low: Character
                let itemStart = index
                index += 1
                if character == "\\" {
                    let escape = try parseEscape(start: itemStart, inSet: true)
                    guard let literal = escape.literal else {
                        if case .instruction(.set(let inner)) = escape.node { set.items += inner.items }
                        continue
                    }
                    low = literal
                } else {
                    low = character
                }
                if index + 1 < pattern.count && pattern[index] == "-" && pattern[index + 1] != "]" {
                    index += 1
                    var high = pattern[index]
                    index += 1
                    if high == "\\" {
                        guard let literal = try parseEscape(start: index - 1, inSet: true).literal else {
                            throw error("a range cannot end in a class escape", at: itemStart)
                        }
                        high = literal
                    }
                    guard low <= high else { throw error("range out of order", at: itemStart) }
                    set.items.append(.range(low, high))
                } else {
                    set.items.append(.character(low))
                }
            }
        }

        /// After a `\`: a class, an assertion or a literal.
        mutating func parseEscape(start: Int, inSet: Bool) throws(LinearRegexError) -> (node: Node, literal: Character?) {
            guard index < pattern.count else { throw error("'\\' at the end of the pattern", at: start) }
            let character = pattern[index]
            index += 1
            func set(_ item: CharacterSet.Item) -> (Node, Character?) { (.instruction(.set(CharacterSet(items: [item]))), nil) }
            switch character {
            case "d": return set(.digit(true))
            case "D": return set(.digit(false))
            case "w": return set(.word(true))
            case "W": return set(.word(false))
            case "s": return set(.space(true))
            case "S": return set(.space(false))
            case "n": return (.instruction(.character("\n")), "\n")
            case "t": return (.instruction(.character("\t")), "\t")
            case "r": return (.instruction(.character("\r")), "\r")
            case "b" where !inSet: return (.instruction(.assert(.wordBoundary)), nil)
            case "B" where !inSet: return (.instruction(.assert(.notWordBoundary)), nil)
            case "A" where !inSet: return (.instruction(.assert(.start)), nil)
            case "z" where !inSet: return (.instruction(.assert(.end)), nil)
            case "1"..."9", "k":
                throw error("back-references cannot be matched in linear time and are not supported", at: start)
            default:
                guard !character.isLetter && !character.isNumber else {
                    throw error("unknown escape '\\\(character)'", at: start)
                }
                return (.instruction(.character(character)), character)
            }
        }
    }

    // MARK: - Compiler

    private struct Compiler {
        var program: [Instruction] = []

        mutating func emit(_ node: Node) throws(LinearRegexError) {
            guard program.count < LinearRegex.maximumInstructions else {
                throw LinearRegexError(message: "the pattern is too large (repetitions make it over \(LinearRegex.maximumInstructions) steps)", column: 1)
            }
            switch node {
            case .empty: break
            case .instruction(let instruction): program.append(instruction)
            case .sequence(let items): for item in items { try emit(item) }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (number, branch) in branches.enumerated() {
                    if number < branches.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repeated(let inner, let minimum, let maximum, let lazy):
                for _ in 0..<minimum { try emit(inner) }
                if let maximum {
                    // Each optional copy: split to it or past all of them.
                    var splits: [Int] = []
                    for _ in minimum..<max(minimum, maximum) {
                        splits.append(program.count)
                        program.append(.split(-1, -1))
                        try emit(inner)
                    }
                    for split in splits { program[split] = branch(split + 1, program.count, lazy: lazy) }
                } else {
                    let split = program.count
                    program.append(.split(-1, -1))
                    try emit(inner)
                    program.append(.jump(split))
                    program[split] = branch(split + 1, program.count, lazy: lazy)
                }
            }
        }

        private func branch(_ into: Int, _ past: Int, lazy: Bool) -> Instruction {
            lazy ? .split(past, into) : .split(into, past)
        }
    }
}

/// A pattern ``LinearRegex`` cannot compile.
package struct LinearRegexError: Error, Sendable, CustomStringConvertible {
    package var message: String
    /// 1-based column in the pattern.
    package var column: Int
    package var description: String { "\(message) (column \(column))" }
}
