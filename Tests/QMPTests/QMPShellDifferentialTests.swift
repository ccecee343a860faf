import Testing
import QMP
import QMPTestSupport
import QMPWire

/// qmpsh's input syntax against qmp-shell's own parser (pip's `qemu.qmp`, run by Tests/Data/qmp_shell_parse.py) on
/// the corpus Tests/Data/qmp-shell-corpus.txt. Every line is in a section that says whether the two must agree or
/// must differ, and why: a line that behaves otherwise fails the test, so the list of differences stays complete.
/// Needs python3 with `qemu.qmp` (scripts/setup.sh installs it); fails when it is missing.
@Suite(.timeLimit(.minutes(1))) struct QMPShellDifferentialTests {
    /// The Tests folder, without its leading slash.
    static let data = #filePath.split(separator: "/").dropLast(2).joined(separator: "/")

    struct Case {
        var line: String
        var expectSame: Bool
        var reason: String
    }

    static func corpus() throws -> [Case] {
        let text = try ChildProcess.readFile("/" + data + "/Data/qmp-shell-corpus.txt")
        var cases: [Case] = []
        var expectSame = true
        var reason = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("###") || line.isEmpty { continue }
            if line.hasPrefix("## ") {
                reason = String(line.dropFirst(3))
                expectSame = reason.hasPrefix("same")
                continue
            }
            cases.append(Case(line: line, expectSame: expectSame, reason: reason))
        }
        return cases
    }

    /// What qmpsh makes of a line, in qmp-shell's terms: the request, `null` for nothing to send, or an error.
    static func qmpsh(_ line: String) -> JSON {
        do {
            if TransactionBlock.opens(line) {
                let block = try TransactionBlock(firstLine: line)
                guard block.isClosed else { return ["error": "unfinished transaction"] }
                return request(block.input)
            }
            return request(try MonitorInput.parse(line))
        } catch {
            return ["error": .string(error.message)]
        }
    }

    static func request(_ input: MonitorInput) -> JSON {
        switch input {
        case .command(let name, let arguments): return ["execute": .string(name), "arguments": .object(arguments)]
        case .raw(let object): return .object(object)
        case .hmp(let text): return ["hmp": .string(text)]
        case .empty: return .null
        }
    }

    /// Errors compare by kind only (both refused the line), objects without regard to key order.
    static func canonical(_ value: JSON) -> JSON {
        switch value {
        case .object(let object):
            if object["error"] != nil && object.keys.count == 1 { return ["error": true] }
            return .object(JSONObject(object.keys.sorted().map { ($0, canonical(object[$0]!)) }))
        case .array(let elements): return .array(elements.map(canonical))
        case .uint(let number) where number <= UInt64(Int64.max): return .int(Int64(number))
        default: return value
        }
    }

    @Test func everyDifferenceFromQMPShellIsListedWithItsReason() async throws {
        let cases = try Self.corpus()
        #expect(cases.count >= 200)
        let script = "/" + Self.data + "/Data/qmp_shell_parse.py"
        let result = try await ChildProcess.run(
            ["/usr/bin/env", "python3", script], input: cases.map(\.line).joined(separator: "\n") + "\n")
        try #require(
            result.status == 0,
            "qmp-shell's parser did not run: install it with `python3 -m pip install qemu.qmp` (scripts/setup.sh does); \(result.standardError)")
        let answers = result.standardOutput.split(separator: "\n").map(String.init)
        try #require(answers.count == cases.count)
        var unexpected: [String] = []
        var differences = 0
        for (testCase, answer) in zip(cases, answers) {
            let theirs = Self.canonical(try JSON(parsing: answer))
            let ours = Self.canonical(Self.qmpsh(testCase.line))
            if theirs != ours { differences += 1 }
            if (theirs == ours) != testCase.expectSame {
                unexpected.append("""
                    \(testCase.line)
                      section:   \(testCase.reason)
                      qmp-shell: \(theirs.serialized(pretty: false))
                      qmpsh:     \(ours.serialized(pretty: false))
                    """)
            }
        }
        #expect(unexpected.isEmpty, "\(unexpected.count) lines are not in the right section:\n\(unexpected.joined(separator: "\n"))")
        #expect(differences > 0 && differences < cases.count)
    }
}
