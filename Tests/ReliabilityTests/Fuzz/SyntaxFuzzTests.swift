import QMP
import QMPWire
import Testing

/// Property-based fuzzing of the monitor input syntax: every line gives a value or a `MonitorSyntaxError` whose
/// column lies inside the line (or just after its end), with a message; well-formed arguments round-trip.
@Suite(.timeLimit(.minutes(1))) struct SyntaxFuzzTests {
    static func checkError(_ error: MonitorSyntaxError, in line: String) {
        #expect(!error.message.isEmpty)
        #expect(error.column >= 1 && error.column <= line.count + 1,
                "column \(error.column) outside \(line.debugDescription) (\(line.count) characters): \(error.message)")
    }

    @Test func randomLinesGiveAValueOrAnErrorWithAColumn() {
        Fuzz.run("MonitorInput.parse: random lines", ciIterations: 10000) { random, _ in
            let line = random.chance(0.5) ? FuzzInput.line(&random) : FuzzInput.commandLine(&random)
            do throws(MonitorSyntaxError) {
                switch try MonitorInput.parse(line) {
                case .command(let name, _): #expect(!name.isEmpty)
                case .raw(let object): #expect(object["execute"] != nil || object["exec-oob"] != nil)
                case .hmp(let command): #expect(!command.isEmpty)
                case .empty: break
                }
            } catch {
                Self.checkError(error, in: line)
            }
        }
    }

    @Test func randomWordsGiveArgumentsOrAnErrorWithAColumn() {
        Fuzz.run("KeyValueArguments.parse: random words", ciIterations: 10000) { random, _ in
            let words = (0..<random.int(0...4)).map { _ in
                random.chance(0.5) ? FuzzInput.line(&random, maxPieces: 4) : "k\(random.int(0...3))=" + FuzzInput.line(&random, maxPieces: 3)
            }
            do throws(MonitorSyntaxError) {
                let arguments = try KeyValueArguments.parse(words)
                #expect(arguments.count <= words.count)
            } catch {
                let longest = words.map(\.count).max() ?? 0
                #expect(!error.message.isEmpty)
                #expect(error.column >= 1 && error.column <= longest + 1, "column \(error.column) for \(words)")
            }
        }
    }

    /// `NAME key=JSON ...` with values written as compact JSON parses back to the same arguments.
    @Test func jsonValuesRoundTrip() throws {
        Fuzz.run("MonitorInput.parse: JSON values round-trip", ciIterations: 5000) { random, _ in
            var arguments = JSONObject()
            var words = ["cmd"]
            for index in 0..<random.int(0...4) {
                let key = "k\(index)" + (random.chance(0.3) ? ".n" : "")
                var value = FuzzInput.jsonValue(&random, depth: 2, joinsGraphemes: false)
                // A bare string would be read as a word; quote it as JSON.
                let text = value.serialized()
                if case .string(let string) = value, string.isEmpty { value = .string("") }
                words.append(key + "=" + text)
                if key.hasSuffix(".n") {
                    arguments[String(key.dropLast(2))] = .object(["n": value])
                } else {
                    arguments[key] = value
                }
            }
            let line = words.joined(separator: " ")
            do {
                let parsed = try MonitorInput.parse(line)
                #expect(parsed == .command(name: "cmd", arguments: arguments), "line: \(line.debugDescription)")
            } catch {
                Issue.record("\(line.debugDescription) did not parse: \(error)")
            }
        }
    }
}
