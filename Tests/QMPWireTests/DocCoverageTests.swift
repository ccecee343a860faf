import Foundation
import Testing

/// Every public declaration in `Sources/` has a doc comment (issue 18, "Documentation").
///
/// The scan is lexical, not a compiler pass: it strips comments and string literals, tracks brace scopes, and
/// treats a declaration as public when users of the module can see it:
/// - an explicit `public`/`open` at file scope, or inside a public type or an extension;
/// - a member with no access modifier inside a `public extension`;
/// - every requirement of a public protocol, and every `case` of a public enum.
///
/// Not declarations to document: extension lines themselves (DocC does not show their comments), imports, and
/// anything inside a function or accessor body. Exempt (counted, but not required to have a comment), because they
/// implement a standard-library protocol requirement, which says all there is to say (DocC shows them as
/// "Inherited from `CustomStringConvertible.description`", with a link):
/// see ``DocCoverage/exemption(keyword:rest:line:)``.
/// Implementations of this package's own protocols are not exempt: what a conformance does differently is worth a
/// line (``PlainLineEditor``'s `addHistory` does nothing, for example).
@Suite struct DocCoverageTests {
    /// The package's `Sources/` folder, found from this file's path.
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    @Test func everyPublicDeclarationInSourcesHasADocComment() throws {
        let report = try DocCoverage.scan(folder: Self.sources)
        print(
            "doc coverage: \(report.files) files, \(report.declarations) public declarations, "
                + "\(report.exempt) exempt, \(report.undocumented.count) without a doc comment")
        // A wrong path or a broken scanner would find nothing and pass: the tree has thousands.
        #expect(report.files > 300)
        #expect(report.declarations > 5_000)
        let listing = report.undocumented.map { "\($0.file):\($0.line) \($0.text)" }.joined(separator: "\n")
        #expect(report.undocumented.isEmpty, "\(report.undocumented.count) without a doc comment:\n\(listing)")
    }

    @Test func theScannerFindsWhatLacksAComment() {
        let source = #"""
            import Foundation

            /// Documented.
            public struct A: Equatable {
                /// Documented.
                @inlinable
                @discardableResult public func f() -> Int { 1 }
                public var bare: Int { let local = 1; return local }
                var hidden = 0
                private(set) public var setter = 0
                public static func == (l: A, r: A) -> Bool { true }
                public init(from decoder: any Decoder) throws {}
                func body() {
                    public struct NotSeen {}
                }
                let text = "public func notADeclaration() { {"
                let block = """
                    public var notOne = 0 }
                    """
                /* public func commentedOut() */
            }

            struct Internal {
                public func invisible() {}
            }

            public extension A {
                func impliedPublic() {}
                /** Documented in a block. */
                func blockDocumented() {}
                private func notPublic() {}
                struct Nested {
                    public init() {}
                }
            }

            extension A: CustomStringConvertible {
                public var description: String { "" }
                public func explicit() {}
            }

            /// Documented.
            public enum E {
                case one, two
                /// Documented.
                indirect case three(E)
            }

            /// Documented.
            public protocol P {
                associatedtype Item
                func requirement()
            }

            // A plain comment is not documentation.
            public typealias Alias = Int

            /// Documented.
            public struct Literal: ExpressibleByStringLiteral {
                public init(stringLiteral value: String) {}
            }

            /// Documented, but not its cases.
            public enum Inline { case a, b }
            """#
        let report = DocCoverage.scan(source: source, file: "T.swift")
        #expect(
            report.undocumented.map(\.line) == [8, 10, 28, 32, 33, 39, 44, 51, 52, 56, 64],
            "\(report.undocumented.map { "\($0.line) \($0.text)" })")
        // A, f, bare, setter, ==, init(from:), impliedPublic, blockDocumented, Nested, Nested.init, description,
        // explicit, E, one two, three, P, Item, requirement, Alias, Literal, init(stringLiteral:), Inline, a b.
        #expect(report.declarations == 23)
        #expect(report.exempt == 4)
    }

    @Test func stringsAndCommentsHideWhatTheyHold() {
        let source = ##"""
            /// Documented.
            public enum Tricky {
                static let raw = #"a " quote and a { brace"#
                static let nested = "\(true ? "{" : "}") and \("(")"
                /* outer /* inner */ public func stillComment() {} */
                /// Documented.
                open class Visible {}
                public func bare() {}
            }
            """##
        let report = DocCoverage.scan(source: source, file: "T.swift")
        #expect(report.undocumented.map(\.line) == [8], "\(report.undocumented.map { "\($0.line) \($0.text)" })")
        #expect(report.declarations == 3)
    }
}

/// A lexical scan for public declarations without a doc comment.
enum DocCoverage {
    struct Finding: Equatable {
        var file: String
        var line: Int
        var text: String
    }

    struct Report {
        var files = 0
        var declarations = 0
        var exempt = 0
        var undocumented: [Finding] = []

        mutating func add(_ other: Report) {
            files += other.files
            declarations += other.declarations
            exempt += other.exempt
            undocumented += other.undocumented
        }
    }

    /// Scans every `.swift` file under `folder`, in path order; paths in findings are relative to its parent.
    static func scan(folder: URL) throws -> Report {
        let base = folder.deletingLastPathComponent().path + "/"
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return Report()
        }
        let paths = walker.compactMap { ($0 as? URL)?.path }.filter { $0.hasSuffix(".swift") }.sorted()
        var report = Report()
        for path in paths {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let relative = path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
            report.add(scan(source: text, file: relative))
        }
        return report
    }

    // MARK: - Lexing

    /// One source line with comments removed and string literals emptied.
    struct Line {
        var code: [UInt8] = []
        /// The line is a `///` comment, or part of a `/** … */` comment, with no code on it.
        var isDoc = false
    }

    private enum Mode {
        case code(parens: Int)  // parens counts `(` inside a string interpolation
        case string(hashes: Int, multiline: Bool)
        case comment(depth: Int, doc: Bool)
    }

    private static let slash = UInt8(ascii: "/"), star = UInt8(ascii: "*"), quote = UInt8(ascii: "\"")
    private static let hash = UInt8(ascii: "#"), backslash = UInt8(ascii: "\\"), newline = UInt8(ascii: "\n")
    private static let openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")")

    static func lex(_ source: String) -> [Line] {
        var source = source
        return source.withUTF8 { lex(bytes: $0) }
    }

    private static func lex(bytes: UnsafeBufferPointer<UInt8>) -> [Line] {
        var lines: [Line] = []
        var code: [UInt8] = []  // the current line's code
        var isDoc = false  // the current line's doc flag
        var modes: [Mode] = [.code(parens: 0)]
        let count = bytes.count
        var i = 0
        while i < count {
            let byte = bytes[i]
            if byte == newline {
                lines.append(Line(code: code, isDoc: isDoc))
                code.removeAll(keepingCapacity: true)
                isDoc = false
                if case .comment(_, true) = modes[modes.count - 1] { isDoc = true }
                i += 1
                continue
            }
            let mode = modes[modes.count - 1]
            // Fast paths: runs of bytes that change nothing but the current line's code.
            switch mode {
            case .code:
                let special = byte == slash || byte == quote || byte == hash
                    || (modes.count > 1 && (byte == openParen || byte == closeParen))  // inside an interpolation
                if !special {
                    code.append(byte)
                    i += 1
                    continue
                }
            case .comment:
                if byte != star && byte != slash {
                    i += 1
                    continue
                }
            case .string:
                if byte != backslash && byte != quote {
                    i += 1
                    continue
                }
            }
            switch mode {
            case .comment(let depth, let doc):
                if byte == star && peek(bytes, i + 1) == slash {
                    modes.removeLast()
                    if depth > 1 { modes.append(.comment(depth: depth - 1, doc: doc)) }
                    i += 2
                } else if byte == slash && peek(bytes, i + 1) == star {
                    modes[modes.count - 1] = .comment(depth: depth + 1, doc: doc)
                    i += 2
                } else {
                    i += 1
                }
            case .string(let hashes, let multiline):
                if byte == backslash {
                    var n = 0
                    while n < hashes && peek(bytes, i + 1 + n) == hash { n += 1 }
                    if n == hashes {
                        if peek(bytes, i + 1 + n) == openParen { modes.append(.code(parens: 0)) }
                        i += 2 + n  // an interpolation's `(`, or an escaped character
                    } else {
                        i += 1
                    }
                } else if byte == quote
                    && (!multiline || (peek(bytes, i + 1) == quote && peek(bytes, i + 2) == quote))
                {
                    let width = multiline ? 3 : 1
                    var n = 0
                    while n < hashes && peek(bytes, i + width + n) == hash { n += 1 }
                    if n == hashes {
                        modes.removeLast()
                        code.append(quote)
                        code.append(quote)
                        i += width + n
                    } else {
                        i += 1
                    }
                } else {
                    i += 1
                }
            case .code(let parens):
                if byte == slash && peek(bytes, i + 1) == slash {
                    if peek(bytes, i + 2) == slash && peek(bytes, i + 3) != slash && isBlank(code) { isDoc = true }
                    while i < count && bytes[i] != newline { i += 1 }
                } else if byte == slash && peek(bytes, i + 1) == star {
                    let doc = peek(bytes, i + 2) == star && peek(bytes, i + 3) != slash && isBlank(code)
                    if doc { isDoc = true }
                    modes.append(.comment(depth: 1, doc: doc))
                    i += 2
                } else if byte == quote
                    || (byte == hash && (peek(bytes, i + 1) == hash || peek(bytes, i + 1) == quote))
                {
                    var hashes = 0
                    while peek(bytes, i + hashes) == hash { hashes += 1 }
                    guard peek(bytes, i + hashes) == quote else {  // `##` without a quote: not a string
                        code.append(byte)
                        i += 1
                        continue
                    }
                    let multiline = peek(bytes, i + hashes + 1) == quote && peek(bytes, i + hashes + 2) == quote
                    modes.append(.string(hashes: hashes, multiline: multiline))
                    i += hashes + (multiline ? 3 : 1)
                } else {
                    if modes.count > 1 {  // inside an interpolation
                        if byte == openParen {
                            modes[modes.count - 1] = .code(parens: parens + 1)
                        } else if byte == closeParen {
                            if parens == 0 {
                                modes.removeLast()
                                i += 1
                                continue
                            }
                            modes[modes.count - 1] = .code(parens: parens - 1)
                        }
                    }
                    code.append(byte)
                    i += 1
                }
            }
        }
        lines.append(Line(code: code, isDoc: isDoc))
        return lines
    }

    /// The byte at `index`, or 0 past the end.
    private static func peek(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt8 {
        index < bytes.count ? bytes[index] : 0
    }

    private static func isBlank(_ code: [UInt8]) -> Bool { code.allSatisfy { $0 == 32 || $0 == 9 } }

    // MARK: - Declarations

    private enum Access { case open, `public`, other }

    private static let modifiers: Set<String> = [
        "final", "static", "override", "mutating", "nonmutating", "nonisolated", "convenience", "required",
        "indirect", "lazy", "weak", "unowned", "dynamic", "prefix", "postfix", "infix", "optional", "consuming",
        "borrowing", "distributed", "__consuming",
    ]
    private static let accessWords: Set<String> = ["open", "public", "package", "internal", "fileprivate", "private"]
    private static let keywords: Set<String> = [
        "func", "var", "let", "init", "subscript", "struct", "class", "enum", "protocol", "actor", "typealias", "case",
        "associatedtype", "extension", "deinit", "macro", "operator", "precedencegroup",
    ]
    private static let typeKeywords: Set<String> = ["struct", "class", "enum", "protocol", "actor"]

    /// What a line starts with: nothing of interest, attributes only, or a declaration.
    private enum Head {
        case none
        case attributes
        case declaration(keyword: String, access: Access?, rest: String)
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 95 || b >= 128
    }

    private static func head(of code: [UInt8]) -> Head {
        var i = 0
        var access: Access?
        var sawAttribute = false
        func skipSpaces() { while i < code.count && (code[i] == 32 || code[i] == 9) { i += 1 } }
        func word() -> String {
            let start = i
            while i < code.count && isIdentifierByte(code[i]) { i += 1 }
            return String(decoding: code[start..<i], as: UTF8.self)
        }
        func skipParenthesised() -> String {
            guard i < code.count && code[i] == openParen else { return "" }
            let start = i
            var depth = 0
            while i < code.count {
                if code[i] == openParen { depth += 1 }
                if code[i] == closeParen {
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        break
                    }
                }
                i += 1
            }
            return String(decoding: code[start..<i], as: UTF8.self)
        }
        while true {
            skipSpaces()
            guard i < code.count else { return sawAttribute ? .attributes : .none }
            if code[i] == UInt8(ascii: "@") {
                i += 1
                _ = word()
                _ = skipParenthesised()
                sawAttribute = true
                continue
            }
            let w = word()
            if w.isEmpty { return .none }
            if accessWords.contains(w) {
                let argument = skipParenthesised()
                if argument == "(set)" { continue }  // the setter's access, not the declaration's
                access = w == "open" ? .open : w == "public" ? .public : .other
                continue
            }
            if w == "class" {  // a modifier when another modifier or a keyword follows
                let save = i
                skipSpaces()
                let next = word()
                i = save
                if modifiers.contains(next) || accessWords.contains(next) || keywords.contains(next) { continue }
            }
            if modifiers.contains(w) {
                _ = skipParenthesised()
                continue
            }
            if keywords.contains(w) {
                let rest = String(decoding: code[i...], as: UTF8.self)
                return .declaration(keyword: w, access: access, rest: rest)
            }
            return .none
        }
    }

    private enum Scope {
        case file
        case body
        case type(visible: Bool, keyword: String)
        case `extension`(membersPublic: Bool)
    }

    /// Why a declaration needs no comment of its own, or nil: it implements a standard-library protocol
    /// requirement (Equatable, Comparable, Hashable, Codable, RawRepresentable, the literal protocols,
    /// (Async)Sequence and their iterators, CustomStringConvertible, LocalizedError); DocC links them to it.
    static func exemption(keyword: String, rest: String, line: String) -> String? {
        let name = rest.drop { $0 == " " || $0 == "?" || $0 == "!" }
        switch keyword {
        case "func":
            if name.hasPrefix("==") || name.hasPrefix("< ") || name.hasPrefix("<(") { return "Equatable/Comparable" }
            if name.hasPrefix("hash(into") && line.contains("Hasher") { return "Hashable" }
            if name.hasPrefix("encode(to") && line.contains("Encoder") { return "Encodable" }
            if name.hasPrefix("makeAsyncIterator(") || name.hasPrefix("makeIterator(") { return "Sequence" }
            if name.hasPrefix("next(") && (line.contains("mutating") || line.contains("async")) { return "Iterator" }
        case "init":
            if name.hasPrefix("(from") && line.contains("Decoder") { return "Decodable" }
            for label in [
                "rawValue", "stringLiteral", "integerLiteral", "floatLiteral",
                "booleanLiteral", "arrayLiteral", "dictionaryLiteral", "nilLiteral", "unicodeScalarLiteral",
                "extendedGraphemeClusterLiteral",
            ] where name.hasPrefix("(\(label):") || name.hasPrefix("(\(label) ") || name.hasPrefix("(_ \(label):") {
                return "RawRepresentable/literal"
            }
        case "var", "let":
            for property in ["description", "debugDescription", "errorDescription", "rawValue"]
            where name.hasPrefix(property + ":") || name.hasPrefix(property + " ") {
                return "CustomStringConvertible/LocalizedError/RawRepresentable"
            }
        case "typealias":
            for associated in [
                "Element", "AsyncIterator", "Iterator", "Failure", "RawValue", "ArrayLiteralElement", "Key", "Value",
                "StringLiteralType", "IntegerLiteralType", "FloatLiteralType", "BooleanLiteralType",
                "ExtendedGraphemeClusterLiteralType", "UnicodeScalarLiteralType",
            ] where name.hasPrefix(associated + " ") || name.hasPrefix(associated + "=") {
                return "associated type"
            }
        default:
            break
        }
        return nil
    }

    static func scan(source: String, file: String) -> Report {
        let lines = lex(source)
        var sourceLines: [Substring] = []  // split only when there is something to report
        var report = Report()
        report.files = 1
        var scopes: [Scope] = [.file]
        var pending: Scope?
        var heads: [Head] = []
        heads.reserveCapacity(lines.count)
        for index in lines.indices {
            let line = lines[index]
            let head = head(of: line.code)
            heads.append(head)
            if case .declaration(let keyword, let access, let rest) = head {
                let explicit = access == .public || access == .open
                let visible = isVisible(keyword: keyword, access: access, in: scopes[scopes.count - 1])
                if typeKeywords.contains(keyword) {
                    pending = .type(visible: visible, keyword: keyword)
                } else if keyword == "extension" {
                    pending = .extension(membersPublic: explicit)
                } else {
                    pending = .body
                }
                if visible && isCounted(keyword) {
                    report.declarations += 1
                    if !isDocumented(index, lines: lines, heads: heads) {
                        if sourceLines.isEmpty {
                            sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false)
                        }
                        let text = index < sourceLines.count
                            ? sourceLines[index].trimmingCharacters(in: .whitespaces)
                            : String(decoding: line.code, as: UTF8.self)
                        if exemption(keyword: keyword, rest: rest, line: text) != nil {
                            report.exempt += 1
                        } else {
                            report.undocumented.append(Finding(file: file, line: index + 1, text: text))
                        }
                    }
                }
            }
            for offset in line.code.indices {  // not `enumerated()`: generic and slow in a debug build
                let byte = line.code[offset]
                if byte == UInt8(ascii: "{") {
                    if case .body = scopes[scopes.count - 1] {
                        scopes.append(.body)
                    } else {
                        scopes.append(pending ?? .body)
                    }
                    pending = nil
                    // A member on the same line as its type's `{` (`{ case a, b }`) cannot have a comment of its own.
                    if case .body = scopes[scopes.count - 1] { continue }
                    let after = Array(line.code[(offset + 1)...])
                    if case .declaration(let keyword, let access, let rest) = DocCoverage.head(of: after),
                        isCounted(keyword), isVisible(keyword: keyword, access: access, in: scopes[scopes.count - 1])
                    {
                        report.declarations += 1
                        let text = String(decoding: after, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                        if exemption(keyword: keyword, rest: rest, line: text) != nil {
                            report.exempt += 1
                        } else {
                            report.undocumented.append(Finding(file: file, line: index + 1, text: text))
                        }
                    }
                } else if byte == UInt8(ascii: "}") {
                    if scopes.count > 1 { scopes.removeLast() }
                }
            }
        }
        return report
    }

    /// Whether a declaration with this keyword and access is part of the module's public interface in `scope`.
    private static func isVisible(keyword: String, access: Access?, in scope: Scope) -> Bool {
        let explicit = access == .public || access == .open
        switch scope {
        case .file: return explicit
        case .body: return false
        case .type(let typeVisible, let typeKeyword):
            let implied = typeKeyword == "protocol" || (keyword == "case" && typeKeyword == "enum")
            return typeVisible && (explicit || implied)
        case .extension(let membersPublic):
            return explicit || (membersPublic && access == nil && keyword != "extension")
        }
    }

    /// Declarations that are documented: not extensions, deinitializers, operators or precedence groups.
    private static func isCounted(_ keyword: String) -> Bool {
        !["extension", "deinit", "operator", "precedencegroup"].contains(keyword)
    }

    /// A doc comment directly above line `index`, with only attribute lines between.
    private static func isDocumented(_ index: Int, lines: [Line], heads: [Head]) -> Bool {
        var j = index - 1
        while j >= 0 {
            if lines[j].isDoc { return true }
            guard case .attributes = heads[j] else { return false }
            j -= 1
        }
        return false
    }
}
