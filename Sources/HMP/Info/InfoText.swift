// Line and token helpers shared by the `info` parsers. HMP text comes with "\r\n" line ends through QMP's
// human-monitor-command and may come with "\n" from other readers; Swift sees "\r\n" as one Character, and every
// line end (\n, \r\n, \r) answers `isNewline`, so splitting on it handles all of them.

enum InfoText {
    /// The lines of `text`, empty lines kept (they separate entries in some outputs).
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    /// `text` without leading and trailing white space.
    static func trimmed<S: StringProtocol>(_ text: S) -> Substring where S.SubSequence == Substring {
        let start = text.drop(while: \.isWhitespace)
        var end = start.endIndex
        while end > start.startIndex, start[start.index(before: end)].isWhitespace {
            end = start.index(before: end)
        }
        return start[start.startIndex..<end]
    }

    /// Whether a line is empty or only white space.
    static func isBlank(_ line: Substring) -> Bool { line.allSatisfy(\.isWhitespace) }

    /// Whether a line starts with white space (a detail line under an entry's header).
    static func isIndented(_ line: Substring) -> Bool { line.first?.isWhitespace ?? false }

    /// The error QEMU printed instead of a result, if the text is one: `Error: MESSAGE`, `unknown command: 'x'`,
    /// or an argument error followed by `Try "help ..." for more information`.
    static func monitorError(in text: String) -> String? {
        let lines = lines(text).map { trimmed($0) }.filter { !$0.isEmpty }
        guard let first = lines.first else { return nil }
        if first.hasPrefix("Error: ") { return String(first.dropFirst("Error: ".count)) }
        if first.hasPrefix("unknown command: ") { return String(first) }
        if lines.count > 1, lines[1].hasPrefix("Try \"help") { return String(first) }
        return nil
    }

    /// The error for text in which a parser found nothing it knows: empty output, QEMU's own error, or garbage.
    static func failure(_ command: String, _ text: String, expected: String) -> HMPParseError {
        if let message = monitorError(in: text) {
            return HMPParseError(code: .monitorError, command: command, message: message)
        }
        let firstLine = lines(text).map { trimmed($0) }.first { !$0.isEmpty }
        guard let firstLine else {
            return HMPParseError(code: .emptyOutput, command: command, message: "no output, expected \(expected)")
        }
        let shown = firstLine.count > 80 ? String(firstLine.prefix(80)) + "..." : String(firstLine)
        return HMPParseError(
            code: .unrecognizedOutput, command: command, message: "expected \(expected), found \"\(shown)\"")
    }

    /// Splits `text` into the part before the first `separator` and the part after it.
    static func split(_ text: Substring, atFirst separator: String) -> (Substring, Substring)? {
        guard let range = text.firstRange(of: separator) else { return nil }
        return (text[..<range.lowerBound], text[range.upperBound...])
    }

    /// Splits a trailing parenthesised group off: `"a.iso (raw, read-only)"` → (`"a.iso"`, `"raw, read-only"`).
    static func splitTrailingGroup(_ text: Substring) -> (Substring, Substring)? {
        guard text.hasSuffix(")"), let open = text.lastIndex(of: "(") else { return nil }
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
        return (trimmed(text[..<open]), inner)
    }

    /// Reads a decimal integer (optional sign) from a whole token, ignoring surrounding white space.
    static func integer<S: StringProtocol>(_ text: S) -> Int? where S.SubSequence == Substring {
        Int(trimmed(text))
    }

    /// Reads a hexadecimal number with or without `0x`.
    static func hexadecimal<S: StringProtocol>(_ text: S) -> UInt64? where S.SubSequence == Substring {
        var digits = trimmed(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        return UInt64(digits, radix: 16)
    }
}

/// A cursor over one line, for the fixed layouts (`Bus  0, device   1, function 3:`).
struct InfoScanner {
    private(set) var rest: Substring

    init(_ text: Substring) {
        rest = text
    }

    var isAtEnd: Bool { rest.isEmpty }

    mutating func skipSpaces() {
        rest = rest.drop { $0 == " " || $0 == "\t" }
    }

    /// Consumes `literal` (after any spaces) when the text continues with it.
    mutating func skip(_ literal: String) -> Bool {
        skipSpaces()
        guard rest.hasPrefix(literal) else { return false }
        rest = rest.dropFirst(literal.count)
        return true
    }

    /// Consumes a run of decimal digits (after any spaces).
    mutating func decimal() -> Int? {
        skipSpaces()
        let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
        guard let value = Int(digits) else { return nil }
        rest = rest.dropFirst(digits.count)
        return value
    }

    /// Consumes a hexadecimal number written `0x...` (after any spaces).
    mutating func hexadecimal() -> UInt64? {
        skipSpaces()
        guard rest.hasPrefix("0x") else { return nil }
        let digits = rest.dropFirst(2).prefix(while: \.isHexDigit)
        guard let value = UInt64(digits, radix: 16) else { return nil }
        rest = rest.dropFirst(2 + digits.count)
        return value
    }

    /// Consumes everything up to `literal` and the literal itself; `nil` (nothing consumed) when it is absent.
    mutating func take(upTo literal: String) -> Substring? {
        guard let (before, after) = InfoText.split(rest, atFirst: literal) else { return nil }
        rest = after
        return before
    }
}
