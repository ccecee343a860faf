#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MonitorShell
import QMPTestSupport

/// Property-based fuzzing of the script parser: random and mutated scripts must parse or give positioned errors —
/// never crash, never hang, never point outside the text. Seed and size come from `QMPKIT_FUZZ_SEED` and
/// `QMPKIT_FUZZ_ITERATIONS` (CI uses the defaults; see README for a long run).
@Suite(.timeLimit(.minutes(2))) struct ScriptParserFuzzTests {
    static func setting(_ name: String, default value: UInt64) -> UInt64 {
        guard let text = getenv(name), let number = UInt64(String(cString: text)) else { return value }
        return number
    }

    static let pieces = [
        "query-status", "expect", "expect-error", "wait", "console-expect", "console-send", "set", "sleep", "hmp", "!",
        " ", " ", " ", "\t", ".", ".a", "[0]", "[", "]", "{", "}", "\"", "'", "\\", "\\n", "=", "==", "!=", "<=", "contains",
        "matches", "${", "}", "$${", "${x}", "$_", "x", "id", "vd1", "timeout=", "1", "-3", "0.5", "1e999", "true", "null",
        "regex=true", "é", "😀", "\u{0}", "\u{7}", "#", ":", ",", "{\"execute\":", "\"a b\"", "'c d'", "DEVICE_DELETED",
        "file.filename=", "a.b.c=", "..", "\r", "\r\n",
    ]

    static let seeds = [
        "set disk=/tmp/d.qcow2\nblockdev-add driver=qcow2 node-name=d1 file.driver=file file.filename=${disk}\n",
        "device_del id=vd1\nwait DEVICE_DELETED device=vd1 timeout=30\n",
        "query-status\nexpect .status == \"running\"\nexpect .a[0].b contains {\"x\": [1]}\n",
        "console-send \"ls /sys/block\\n\"\nconsole-expect 'v[a-z]+' regex=true timeout=5\n",
        "expect-error DeviceNotFound device_del id=x\n{\"execute\": \"query-name\"}\nhmp info status\nsleep 0.1\n",
    ]

    func check(_ text: String, iteration: UInt64, seed: UInt64) {
        let lineCount = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.count
        do {
            let script = try ScriptParser(overrides: ["x": "X"]).parse(text, file: "f.qmp")
            for statement in script.statements {
                #expect(statement.line >= 1 && statement.line <= lineCount, "seed \(seed) iteration \(iteration)")
            }
        } catch {
            #expect(!error.errors.isEmpty)
            for problem in error.errors {
                let ok = problem.line >= 1 && problem.line <= lineCount && problem.column >= 1
                    && problem.column <= problem.sourceLine.count + 1 && !problem.message.isEmpty
                #expect(ok, "seed \(seed) iteration \(iteration): \(problem.description) in \(String(reflecting: problem.sourceLine))")
                if !ok { return }
                _ = problem.rendered
            }
        }
    }

    @Test func randomScriptsNeverCrashAndErrorsPointInsideTheText() {
        let seed = Self.setting("QMPKIT_FUZZ_SEED", default: 20261125)
        let iterations = Self.setting("QMPKIT_FUZZ_ITERATIONS", default: 10000)
        var random = SeededRandom(seed: seed)
        for iteration in 0..<iterations {
            var text = ""
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                for _ in 0..<Int.random(in: 0...8, using: &random) { text += Self.pieces.randomElement(using: &random)! }
                text += "\n"
            }
            check(text, iteration: iteration, seed: seed)
        }
    }

    @Test func mutatedScriptsNeverCrashAndErrorsPointInsideTheText() {
        let seed = Self.setting("QMPKIT_FUZZ_SEED", default: 20261125) &+ 1
        let iterations = Self.setting("QMPKIT_FUZZ_ITERATIONS", default: 10000)
        var random = SeededRandom(seed: seed)
        for iteration in 0..<iterations {
            var bytes = Array(Self.seeds.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.insert(UInt8.random(in: 0...127, using: &random), at: position)
                case 2 where position < bytes.count: bytes.remove(at: position)
                default:
                    let piece = Array(Self.pieces.randomElement(using: &random)!.utf8)
                    bytes.insert(contentsOf: piece, at: position)
                }
            }
            check(String(decoding: bytes, as: UTF8.self), iteration: iteration, seed: seed)
        }
    }
}
