public import QMP
import QMPWire

/// Where the lines of a script's `transaction( ... )` statement came from, so a mistake in one action is reported
/// at its own `FILE:LINE:COL`.
public struct TransactionSource: Sendable {
    /// One line of the block: its number, the text as written, and the column map of its expansion (empty when
    /// it had no variables).
    public struct Line: Sendable {
        /// The 1-based line number in the script.
        public var number: Int
        /// The line as written.
        public var source: String
        /// The line after variable expansion.
        public var text: String
        var columnMap: [Int]

        /// The column in the source line for a column of the expanded text.
        func sourceColumn(_ column: Int) -> Int {
            ScriptStatement(line: number, text: "", source: source, kind: .sleep(.zero), columnMap: columnMap)
                .sourceColumn(column)
        }
    }

    /// The block's lines, `transaction(` first.
    public var lines: [Line]
    /// The parsed block (its actions know their line within ``lines``).
    public var block: TransactionBlock

    /// The line, column and source of a validation error's `path` (`actions[1].data.name`), when it points into
    /// an action.
    func location(of path: String) -> (line: Int, column: Int, source: String)? {
        guard let (action, dataPath) = block.action(at: path), lines.indices.contains(action.lineIndex) else { return nil }
        let line = lines[action.lineIndex]
        let top = String(dataPath.prefix { $0 != "." && $0 != "[" })
        let column = action.argumentColumns[dataPath] ?? action.argumentColumns[top] ?? action.column
        return (line.number, line.sourceColumn(column), line.source)
    }
}

/// Collects a script's `transaction( ... )` block line by line (kept apart from the statement keywords, which
/// other statements extend). A block becomes one statement: a `transaction` command.
struct TransactionCollector {
    private var block: TransactionBlock?
    private var lines: [TransactionSource.Line] = []
    /// A block had an error: its lines up to `)` are skipped (the error is reported once).
    private var skipping = false

    /// Whether the collector takes this line (inside a block, or one that opens a block).
    func takes(_ expanded: String) -> Bool {
        if block != nil || skipping { return true }
        // A line that starts with a printable ASCII character other than `t` cannot open a block (most lines).
        if let first = expanded.utf8.first, first > 32, first < 127, first != UInt8(ascii: "t") { return false }
        return TransactionBlock.opens(expanded)
    }

    /// Adds a line; returns the statement when the line closed the block. Throws a syntax error for the line (the
    /// rest of the block is then skipped).
    mutating func add(
        number: Int, source: String, expanded: String, columnMap: [Int]
    ) throws(MonitorSyntaxError) -> ScriptStatement? {
        if skipping {
            if TransactionBlock.closes(expanded) { skipping = false }
            return nil
        }
        let line = TransactionSource.Line(number: number, source: source, text: expanded, columnMap: columnMap)
        do {
            if var current = block {
                lines.append(line)
                let closed = try current.add(expanded)
                block = current
                return closed ? finishStatement() : nil
            }
            lines = [line]
            let opened = try TransactionBlock(firstLine: expanded)
            block = opened
            return opened.isClosed ? finishStatement() : nil
        } catch {
            skipping = !TransactionBlock.closes(expanded)
            block = nil
            lines = []
            throw error
        }
    }

    /// At the end of the script: the line of an unfinished block, if there is one.
    mutating func unfinished() -> TransactionSource.Line? {
        defer {
            block = nil
            lines = []
        }
        return block == nil ? nil : lines.first
    }

    private mutating func finishStatement() -> ScriptStatement? {
        guard let block, let first = lines.first else { return nil }
        var statement = ScriptStatement(
            line: first.number, text: lines.map { $0.text.trimmingWhitespace }.joined(separator: "\n"),
            source: first.source, kind: .command(block.input, argumentColumns: [:]), columnMap: first.columnMap)
        statement.transaction = TransactionSource(lines: lines, block: block)
        self.block = nil
        lines = []
        return statement
    }
}
