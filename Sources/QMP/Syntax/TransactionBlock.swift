public import QMPWire

/// qmp-shell's transaction block, shared by the shell and scripts: the actions between `transaction(` and `)` are
/// sent as one QMP `transaction`, so QEMU runs all of them or none.
///
/// ```
/// transaction(
/// block-dirty-bitmap-add node=n0 name=b1
/// abort
/// )
/// ```
///
/// Actions are written like commands (`NAME key=value ...`), one per line or several separated by `;`; the block
/// may also be on one line (`transaction( abort; abort )`), and `)` may end the last action's line. A line that is
/// not an action is an error: the caller then drops the whole block, so nothing of it is sent.
public struct TransactionBlock: Sendable, Equatable {
    /// One action of the block and where it was written.
    public struct Action: Sendable, Equatable {
        /// The action type (`block-dirty-bitmap-add`, `abort`, ...).
        public var name: String
        /// Its `data`.
        public var arguments: JSONObject
        /// Which of the block's lines it is on (0 is the `transaction(` line), as counted by ``add(_:)``.
        public var lineIndex: Int
        /// 1-based column of the action's name in that line.
        public var column: Int
        /// 1-based column of each argument key in that line, for messages.
        public var argumentColumns: [String: Int]
    }

    /// The actions so far.
    public private(set) var actions: [Action] = []
    /// The lines given so far, as typed (the first is the `transaction(` line).
    public private(set) var lines: [String] = []
    /// True once `)` has been read.
    public private(set) var isClosed = false

    /// The word that opens a block.
    public static let opening = "transaction("

    /// Whether `line` opens a block: its first word is `transaction(`.
    public static func opens(_ line: String) -> Bool {
        let trimmed = line.drop { $0.isSpace }
        guard trimmed.hasPrefix(opening) else { return false }
        let rest = trimmed.dropFirst(opening.count)
        return rest.isEmpty || rest.first!.isSpace
    }

    /// Whether `line` would close a block: it is `)`, or ends with a word `)`. A shell that dropped a block after
    /// a bad line skips lines up to this one, so no action of the dropped block runs on its own.
    public static func closes(_ line: String) -> Bool {
        let trimmed = line.trimmingWhitespace
        guard trimmed.last == ")" else { return false }
        return trimmed.count == 1 || trimmed.dropLast().last!.isSpace
    }

    /// Starts a block with its `transaction(` line (which may hold actions and the closing `)` too).
    public init(firstLine line: String) throws(MonitorSyntaxError) {
        let characters = Array(line)
        var start = 0
        while start < characters.count, characters[start].isSpace { start += 1 }
        guard Self.opens(line) else {
            throw MonitorSyntaxError("a transaction block starts with `transaction(`", column: start + 1)
        }
        lines.append(line)
        try read(characters, from: start + Self.opening.count, lineIndex: 0)
    }

    /// Adds the next line of the block; returns true when it closed the block.
    @discardableResult
    public mutating func add(_ line: String) throws(MonitorSyntaxError) -> Bool {
        precondition(!isClosed, "the transaction block is already closed")
        lines.append(line)
        try read(Array(line), from: 0, lineIndex: lines.count - 1)
        return isClosed
    }

    /// The QMP command the block stands for: `transaction` with `actions: [{type, data}, ...]`.
    public var input: MonitorInput {
        .command(name: "transaction", arguments: ["actions": .array(actions.map(\.json))])
    }

    /// The action at `path` of a validation error on ``input`` (`actions[2].data.name` → the third action), with
    /// the path inside its `data` (`name`).
    public func action(at path: String) -> (action: Action, dataPath: String)? {
        guard path.hasPrefix("actions["), let close = path.firstIndex(of: "]"),
              let index = Int(path[path.index(path.startIndex, offsetBy: 8)..<close]), actions.indices.contains(index)
        else { return nil }
        var rest = path[path.index(after: close)...]
        if rest.hasPrefix(".data") { rest = rest.dropFirst(5) }
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        return (actions[index], String(rest))
    }

    /// A message about `path` of ``input`` (from schema validation) worded for the action it is about:
    /// `unknown argument 'actions[1].data.nmae' for transaction` → `unknown argument 'nmae' for transaction action
    /// 'block-dirty-bitmap-add'`; `nil` when the path is not inside an action.
    public func actionMessage(_ message: String, path: String) -> String? {
        guard let (action, dataPath) = action(at: path) else { return nil }
        var text = message
        if !dataPath.isEmpty { text = text.replacing(String(path.dropLast(dataPath.count)), with: "") }
        return text.replacing("for transaction", with: "for transaction action '\(action.name)'")
    }

    private mutating func read(_ characters: [Character], from start: Int, lineIndex: Int) throws(MonitorSyntaxError) {
        for segment in Self.segments(characters, from: start) {
            guard !isClosed else {
                throw MonitorSyntaxError("unexpected text after the `)` that closed the transaction", column: segment.lowerBound + 1)
            }
            var words = segment
            while words.lowerBound < words.upperBound, characters[words.lowerBound].isSpace { words = (words.lowerBound + 1)..<words.upperBound }
            while words.lowerBound < words.upperBound, characters[words.upperBound - 1].isSpace { words = words.lowerBound..<(words.upperBound - 1) }
            if words.isEmpty { continue }
            if characters[words.lowerBound] == "#" { return }
            // `)` alone, or as the last word of an action's line.
            var closes = false
            if characters[words.upperBound - 1] == ")" && (words.count == 1 || characters[words.upperBound - 2].isSpace) {
                closes = true
                words = words.lowerBound..<(words.upperBound - 1)
            }
            if !words.isEmpty {
                // Parse the action in place (spaces before it), so columns count from the start of the line.
                let padded = String(repeating: " ", count: words.lowerBound) + String(characters[words])
                let input: MonitorInput
                do {
                    input = try MonitorInput.parse(padded)
                } catch {
                    throw MonitorSyntaxError("in transaction: \(error.message)", column: error.column)
                }
                guard case .command(let name, let arguments) = input else {
                    throw MonitorSyntaxError(
                        "a transaction holds actions written `NAME key=value ...` (e.g. block-dirty-bitmap-add node=n0 name=b1)"
                            + ", not raw JSON or HMP",
                        column: words.lowerBound + 1)
                }
                var columns: [String: Int] = [:]
                for word in try MonitorWord.split(padded) {
                    if let key = word.key, columns[key] == nil { columns[key] = word.column }
                }
                actions.append(Action(
                    name: name, arguments: arguments, lineIndex: lineIndex, column: words.lowerBound + 1,
                    argumentColumns: columns))
            }
            if closes {
                guard !actions.isEmpty else {
                    throw MonitorSyntaxError("a transaction needs at least one action", column: words.upperBound + 1)
                }
                isClosed = true
            }
        }
    }

    /// Ranges of `characters` between unquoted `;`.
    private static func segments(_ characters: [Character], from start: Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var segmentStart = start
        _ = ArgumentTokenizer.firstUnquoted(characters, from: start, escapesInSingleQuotes: false) { index, character in
            if character == ";" {
                result.append(segmentStart..<index)
                segmentStart = index + 1
            }
            return false
        }
        result.append(segmentStart..<characters.count)
        return result
    }
}

extension TransactionBlock.Action {
    /// `{"type": NAME, "data": {...}}`.
    var json: JSON {
        .object(JSONObject([("type", .string(name)), ("data", .object(arguments))]))
    }
}
