#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPSchema
import Testing

/// Time budgets, with generous bounds so that debug builds pass; `QMPKIT_TIMINGS=1` prints the figures
/// (`swift test -c release --filter SchemaPerformance` for the real ones).
@Suite(.serialized) struct SchemaPerformanceTests {
    private static func best(of runs: Int, _ body: () -> Void) -> Duration {
        var best = Duration.seconds(1000)
        let clock = ContinuousClock()
        for _ in 0..<runs { best = min(best, clock.measure(body)) }
        return best
    }

    private static func report(_ text: String) {
        if getenv("QMPKIT_TIMINGS") != nil { print(text) }
    }

    @Test func decodingAndIndexingTheSchema() throws {
        let entities = try #require(try JSON(parsing: Fixtures.qemu72Schema).arrayValue)
        var schema: QAPISchema?
        let model = Self.best(of: 10) { schema = QAPISchema(entities: entities) }
        let parse = Self.best(of: 10) { _ = try? JSON(parsing: Fixtures.qemu72Schema) }
        #expect(schema?.commands.count == 216)
        Self.report("schema: JSON parse \(parse), model and index \(model)")
        #expect(model < .milliseconds(250))
    }

    @Test func validatingOneCommand() {
        let add = arguments("driver=qcow2", "node-name=d1", "file.driver=file", "file.filename=/tmp/d.qcow2", "cache.direct=true")
        let medium = arguments("id=cdrom0", "filename=/tmp/b.iso", "format=raw", "read-only-mode=retain")
        let iterations = 2000
        var valid = true
        let elapsed = Self.best(of: 3) {
            for _ in 0..<iterations {
                valid = qemu72.validate(command: "blockdev-add", arguments: add).isValid && valid
                valid = qemu72.validate(command: "blockdev-change-medium", arguments: medium).isValid && valid
            }
        }
        #expect(valid)
        let perCommand = elapsed / (iterations * 2)
        Self.report("validation: \(perCommand) per command")
        #expect(perCommand < .microseconds(1000))
        let typo = arguments("id=cdrom0", "filname=/tmp/b.iso")
        let withSuggestion = Self.best(of: 3) {
            for _ in 0..<100 { _ = qemu72.validate(command: "blockdev-change-medium", arguments: typo) }
        } / 100
        let unknownCommand = Self.best(of: 3) {
            for _ in 0..<100 { _ = qemu72.validate(command: "query-stauts", arguments: [:]) }
        } / 100
        Self.report("validation with a suggestion: argument \(withSuggestion), command \(unknownCommand)")
    }

    @Test func completingOneLine() {
        let completer = SchemaCompleter(schema: qemu72)
        let live = LiveValueSnapshot([.blockNodeNames: ["null0", "disk1"], .deviceIDs: ["vd0", "nic0"]])
        let lines = [
            "", "query-sta", "blockdev-change-medium read-only-mode=re", "blockdev-add driver=qcow2 file.driver=file file.",
            "device_del id=", "blockdev-add driver=qcow2 file=",
        ]
        var count = 0
        let elapsed = Self.best(of: 3) {
            for _ in 0..<100 {
                for line in lines { count += completer.completions(forLineBeforeCursor: line, live: live).count }
            }
        }
        #expect(count > 0)
        let perLine = elapsed / (100 * lines.count)
        Self.report("completion: \(perLine) per line")
        #expect(perLine < .milliseconds(20))
    }
}
