#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MonitorShell
import QMPTestSupport

/// Bounds on variable expansion, out-of-range durations and the byte order mark (issue 20), and a fuzz test of
/// random chains of variables.
@Suite(.timeLimit(.minutes(10))) struct ScriptExpansionTests {
    /// The default bounds are 1 MiB and 16 MiB (`qmpsh run` is tested with them in ReliabilityTests'
    /// CrashInputTests); these tests use smaller ones, which parse quickly.
    static func parser() -> ScriptParser {
        var parser = ScriptParser()
        parser.maximumStatementBytes = 1000
        parser.maximumExpansionBytes = 16_000
        return parser
    }

    @Test func theBoundsDefaultToOneAndSixteenMebibytes() {
        #expect(ScriptParser().maximumStatementBytes == 1 << 20 && ScriptParser().maximumExpansionBytes == 16 << 20)
    }

    @Test func aStatementMayNotGrowPastItsBound() throws {
        let half = String(repeating: "x", count: 600)
        let text = "set a=\(half)\nquery-name id=${a}\nhmp ${a}${a}\n"
        do {
            _ = try Self.parser().parse(text, file: "f.qmp")
            Issue.record("parsed")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors.first?.line == 3 && error.errors.first?.column == 9, "\(error.errors)")
            #expect(error.errors.first?.message.contains("longer than 1000 bytes") == true)
        }
    }

    @Test func theWholeScriptMayNotExpandPastItsBound() throws {
        let value = String(repeating: "y", count: 900)
        let text = "set a=\(value)\n" + String(repeating: "hmp ${a}\n", count: 20)
        do {
            _ = try Self.parser().parse(text, file: "f.qmp")
            Issue.record("parsed")
        } catch {
            // 17 × 900 bytes fit in 16 000; the 18th statement (line 19) crosses it, and parsing stops there.
            #expect(error.errors.count == 1, "\(error.errors.map(\.message))")
            #expect(error.errors.first?.line == 19 && error.errors.first?.column == 5, "\(error.errors)")
            #expect(error.errors.first?.message.contains("past 16000 bytes") == true)
        }
    }

    @Test func outOfRangeSecondsAreErrorsAtTheirColumn() {
        for (line, column) in [("sleep 1e300", 7), ("wait X timeout=1e16", 16), ("console-expect \"x\" timeout=1e300", 28)] {
            do {
                _ = try ScriptParser().parse(line + "\n", file: "f.qmp")
                Issue.record("\(line) parsed")
            } catch {
                #expect(error.errors.first?.column == column, "\(line): \(error.errors)")
                #expect(error.errors.first?.message.contains("seconds from 0") == true, "\(line): \(error.errors)")
            }
        }
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let script = try ScriptParser().parse("\u{FEFF}query-status\n", file: "f.qmp")
        #expect(script.statements.first?.text == "query-status")
    }

    /// Random chains of `set` with `${...}` (doubling, self reference, undefined names, `$${`): a script or positioned
    /// errors, never a statement past 1 MiB, and quickly.
    @Test func randomVariableChainsStayBounded() {
        let seed = ScriptParserFuzzTests.setting("QMPKIT_FUZZ_SEED", default: 20_261_125)
        let iterations = ScriptParserFuzzTests.setting("QMPKIT_FUZZ_ITERATIONS", default: 2000)
        let clock = ContinuousClock()
        var slowest = Duration.zero
        for iteration in 0..<iterations {
            var random = SeededRandom(seed: seed &+ iteration &* 0x9e37_79b9_7f4a_7c15)
            var text = "set v0=" + String(repeating: "z", count: Int.random(in: 1...64, using: &random)) + "\n"
            for line in 1..<Int.random(in: 2...40, using: &random) {
                let uses = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                    let name = "v\(Int.random(in: 0...line, using: &random))"
                    return [("${" + name + "}"), "$${" + name + "}", "${nope}", "x"].randomElement(using: &random)!
                }.joined()
                text += ["set v\(line)=\(uses)", "hmp echo \(uses)", "query-name id=\(uses)"].randomElement(using: &random)! + "\n"
            }
            let began = clock.now
            do {
                let parser = Self.parser()
                let script = try parser.parse(text, file: "f.qmp")
                for statement in script.statements {
                    #expect(statement.text.utf8.count <= parser.maximumStatementBytes, "seed \(seed) iteration \(iteration)")
                }
            } catch {
                for problem in error.errors {
                    #expect(problem.line >= 1 && problem.column >= 1, "seed \(seed) iteration \(iteration)")
                }
            }
            slowest = max(slowest, clock.now - began)
        }
        #expect(slowest < .seconds(10), "slowest \(slowest)")
        print("fuzz ScriptParser variable chains: \(iterations) iterations, seed \(seed), slowest \(slowest)")
    }
}

/// Errors show the failing line: with its secret hidden, and the caret still under the right place.
@Suite struct ScriptErrorRedactionTests {
    @Test func renderedLinesHideSecretsAndKeepTheCaret() {
        let source = "object-add qom-type=secret data=hunter2222 bogus=1"
        let column = source.firstRange(of: "bogus").map { source.distance(from: source.startIndex, to: $0.lowerBound) + 1 } ?? 0
        let error = ScriptError(file: "f.qmp", line: 1, column: column, message: "unknown argument 'bogus'", sourceLine: source)
        let shown = "object-add qom-type=secret data=*** bogus=1"
        let caret = shown.firstRange(of: "bogus").map { shown.distance(from: shown.startIndex, to: $0.lowerBound) } ?? 0
        #expect(error.rendered == "f.qmp:1:\(column): unknown argument 'bogus'\n    \(shown)\n    " + String(repeating: " ", count: caret) + "^")
        let before = ScriptError(file: "f.qmp", line: 1, column: 1, message: "m", sourceLine: "set_password password=x y=1")
        #expect(before.rendered.hasSuffix("    set_password password=*** y=1\n    ^"))
    }
}
