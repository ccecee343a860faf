#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMPTestSupport
import QMPWire
import Testing

/// Property tests for issue 20's input checks: numbers of seconds, `--config` keys, the linear-time regex (against
/// Swift's `Regex` on small inputs, and on hostile ones), and redaction of a random secret put through every path.
@Suite(.timeLimit(.minutes(10))) struct HostileInputFuzzTests {
    // MARK: - Seconds

    /// Any Double: a Duration within the range, or nil; never a trap. Huge, infinite, NaN, negative, subnormal.
    @Test func anyNumberOfSecondsGivesADurationOrAnError() {
        Fuzz.run("Seconds: random doubles", ciIterations: 20_000) { random, _ in
            let value: Double
            switch random.int(0..<5) {
            case 0: value = Double(bitPattern: random.next())
            case 1: value = random.pick([.infinity, -.infinity, .nan, 1e16, 1e300, -1, 0, Seconds.maximum, Seconds.maximum.nextUp, 1e-300])
            case 2: value = Double(random.int(-1000...1000)) * pow(10, Double(random.int(-20...20)))
            case 3: value = Double.random(in: 0...Seconds.maximum, using: &random)
            default: value = Double(random.int(0...100_000)) / 1000
            }
            let allowsZero = random.chance(0.5)
            let duration = Seconds.duration(value, allowsZero: allowsZero)
            let valid = value.isFinite && value <= Seconds.maximum && (allowsZero ? value >= 0 : value > 0)
            #expect((duration != nil) == valid, "\(value)")
            if let duration {
                #expect(duration >= .zero && duration <= .seconds(1_000_000_000))
                #expect(abs(Double(duration.components.seconds) - value.rounded(.towardZero)) <= 1, "\(value) → \(duration)")
            }
            #expect((try? Seconds.check(value, name: "--timeout", allowsZero: allowsZero)) == duration)
            _ = Seconds.duration(clamping: value, allowsZero: allowsZero)
        }
    }

    // MARK: - --config keys

    /// Random configuration objects: every key outside the known ones is reported, none of the known ones is, and
    /// decoding never crashes.
    @Test func configurationKeysAreCheckedExactly() {
        let known = MachineConfiguration.configurationKeys
        Fuzz.run("--config: random keys", ciIterations: 3000) { random, _ in
            var object = JSONObject()
            var unknown: [String] = []
            for _ in 0..<random.int(0...8) {
                if random.chance(0.5) {
                    let key = random.pick(known)
                    object[key] = FuzzInput.jsonValue(&random)
                } else {
                    let key = String(FuzzInput.line(&random, maxPieces: 3).prefix(12))
                    if !known.contains(key) && object[key] == nil { unknown.append(key) }
                    object[key] = FuzzInput.jsonValue(&random)
                }
            }
            let reported = MachineConfiguration.unknownKeys(in: .object(object)).filter { $0.location.isEmpty }.map(\.key)
            #expect(reported == unknown.filter { object[$0] != nil }, "\(object)")
            _ = try? JSONValueDecoder().decode(MachineConfiguration.self, from: .object(object))
        }
    }

    // MARK: - Regex

    /// A random pattern; `repeatsGroups` is set when a quantifier applies to a group (whose body may match the
    /// empty string: there the engines may end a match at different places, see ``LinearRegex``).
    static func randomPattern(_ random: inout FuzzRandom, depth: Int = 0, repeatsGroups: inout Bool) -> String {
        var pattern = ""
        for _ in 0..<random.int(1...4) {
            var atom: String
            switch random.int(0..<10) {
            case 0 where depth < 3:
                let inner = (0..<random.int(1...3)).map { _ in randomPattern(&random, depth: depth + 1, repeatsGroups: &repeatsGroups) }
                atom = "(" + (random.chance(0.3) ? "?:" : "") + inner.joined(separator: "|") + ")"
            case 1: atom = random.pick(["[ab]", "[^a]", "[a-c]", "[_1]", "[\\d]", "[^\\s]"])
            case 2: atom = random.pick(["\\d", "\\w", "\\s", "\\W", "\\D", "\\S"])
            case 3: atom = "."
            case 4: atom = random.pick(["^", "$"])
            default: atom = random.pick(["a", "b", "c", "_", "1", " "])
            }
            if !(atom == "^" || atom == "$"), random.chance(0.4) {
                if atom.hasPrefix("(") { repeatsGroups = true }
                atom += random.pick(["*", "+", "?", "{2}", "{0,2}", "{1,}"]) + (random.chance(0.3) ? "?" : "")
            }
            pattern += atom
        }
        return pattern
    }

    /// On texts of a few characters, LinearRegex matches exactly when Swift's backtracking `Regex` does, and finds
    /// the same first match (unless a group is repeated: see ``LinearRegex`` on empty iterations).
    @Test func linearRegexAgreesWithSwiftRegex() throws {
        Fuzz.run("LinearRegex: same first match as Regex", ciIterations: 3000) { random, _ in
            var repeatsGroups = false
            let pattern = Self.randomPattern(&random, repeatsGroups: &repeatsGroups)
            let text = String((0..<random.int(0...8)).map { _ in random.pick(["a", "b", "c", "_", "1", " ", "é"]) })
            let linear = try LinearRegex(pattern)
            let swift = try Regex(pattern)
            let expected = text.firstMatch(of: swift)?.range
            let found = linear.firstMatch(in: text)
            let show = { (range: Range<String.Index>?) in range.map { "\(text[..<$0.lowerBound].count)..<\(text[..<$0.upperBound].count)" } ?? "nil" }
            #expect((found == nil) == (expected == nil), "/\(pattern)/ on '\(text)'")
            if !repeatsGroups { #expect(show(found) == show(expected), "/\(pattern)/ on '\(text)'") }
        }
    }

    /// `^(\w|\W|.)*(\w|\W|.)*Z$`, which ran past 60 s with `Regex` on a short string, and random patterns on long
    /// random texts: time stays linear in the text.
    @Test func hostilePatternsRunInLinearTime() throws {
        let clock = ContinuousClock()
        let hostile = try LinearRegex(#"^(\w|\W|.)*(\w|\W|.)*Z$"#)
        let text = String(repeating: "ab ", count: 20_000)
        var start = clock.now
        #expect(!hostile.matches(in: text))
        #expect(hostile.matches(in: text + "Z"))
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(20), "\(elapsed)")
        report("LinearRegex: the issue's hostile pattern on 60 KB, twice: \(elapsed)")
        start = clock.now
        var slowest = Duration.zero
        Fuzz.run("LinearRegex: random patterns on 10 KB", ciIterations: 100) { random, _ in
            var repeatsGroups = false
            let pattern = Self.randomPattern(&random, repeatsGroups: &repeatsGroups)
            let text = String((0..<10_000).map { _ in random.pick(["a", "b", "1", " ", "\n"] as [Character]) })
            let began = clock.now
            _ = try LinearRegex(pattern).firstMatch(in: text)
            slowest = max(slowest, clock.now - began)
        }
        #expect(slowest < .seconds(5), "\(slowest)")
    }

    /// What cannot run in linear time is refused when compiled, with a column.
    @Test func backReferencesAndLookAroundAreRefused() {
        for (pattern, column) in [("(a)\\1", 4), ("a(?=b)", 2), ("(?<!x)y", 1), ("a{2000}", 2), ("[[:alpha:]]", 2), ("a++", 3)] {
            #expect(throws: LinearRegexError.self, "\(pattern)") { try LinearRegex(pattern) }
            do { _ = try LinearRegex(pattern) } catch { #expect(error.column == column, "\(pattern): \(error)") }
        }
    }

    // MARK: - Redaction of a random secret through every path

    static func secret(_ random: inout FuzzRandom) -> String {
        "Zq" + String((0..<random.int(6...16)).map { _ in random.pick(Array("abcdefXYZ0189_-.")) })
    }

    /// A random secret, placed in a random message, HMP line or typed line through each form issue 20 lists, never
    /// survives redaction; the reply of a command that reads a secret is hidden too.
    @Test func aRandomSecretNeverSurvivesAnyPath() throws {
        Fuzz.run("Redaction: a random secret through every path", ciIterations: 5000) { random, _ in
            let secret = Self.secret(&random)
            let key = random.pick(["password", "passwd", "key-secret", "iv", "passwordid", "tls-password", "ssh_password", "new-secret"])
            let blank = { (random: inout FuzzRandom) in String((0..<random.int(1...3)).map { _ in random.pick([" ", "\t"] as [Character]) }) }
            var outputs: [String] = []
            // QMP messages: a secret key at any depth, or data of a secret object.
            var inner: JSON = random.chance(0.5) ? [key: .string(secret)] : ["qom-type": "secret", "id": "s0", "data": .string(secret)]
            for _ in 0..<random.int(0...3) { inner = random.chance(0.5) ? ["nested": inner, "other": 1] : [inner, "x"] }
            let message: JSON = ["execute": "object-add", "arguments": inner]
            outputs.append(Redaction.redact(message).serialized())
            // HMP lines, spaces or tabs between words.
            let hmp = [
                "set_password" + blank(&random) + "vnc" + blank(&random) + secret,
                "change" + blank(&random) + "vnc" + blank(&random) + "password" + blank(&random) + secret,
                "block_passwd" + blank(&random) + "ide0-hd0" + blank(&random) + secret,
                "object_add" + blank(&random) + #"{"qom-type": "secret", "id": "s1", "data": "\#(secret)"}"#,
                "object_add" + blank(&random) + "secret,id=s2,data=" + secret,
                "netdev_add" + blank(&random) + "user,id=n0,\(key)=" + secret,
            ]
            let line = random.pick(hmp)
            outputs.append(Redaction.redactHMP(line))
            outputs.append(Redaction.redact(["execute": "human-monitor-command", "arguments": ["command-line": .string(line)]]).serialized())
            // Typed lines: every input form.
            let quoted = random.pick([secret, "\"\(secret)\"", "'\(secret)'", "\"\(secret) b\""])
            let typed = [
                "object-add qom-type=secret id=s0 data=\(quoted)",
                "object-add id=s0 data=\(quoted) qom-type=secret",
                "blockdev-add driver=qcow2 node-name=n file.\(key)=\(quoted)",
                "set_password protocol=vnc password=\(quoted)",
                "object-add qom-type=secret id=s0 props={\"data\": \"\(secret)\"}",
                "blockdev-add driver=ssh server={\"host\": \"h\"} \(key)=\(quoted)",
                "human-monitor-command command-line=\"\(line.replacing("\"", with: "\\\""))\"",
                "hmp " + line, "!" + line,
                "expect-error GenericError set_password protocol=vnc password=\(quoted)",
                #"{"execute": "object-add", "arguments": {"qom-type": "secret", "id": "s3", "data": "\#(secret)"}}"#,
            ]
            let typedLine = random.pick(typed)
            outputs.append(Redaction.redactLine(typedLine))
            outputs.append(Redaction.redactLine(line, hmpMode: true))
            // Replies: qom-get of a secret, matched in order or by id, among other traffic.
            var tracker = Redaction.ReplyTracker()
            let id: JSON? = random.chance(0.5) ? .int(Int64(random.int(0...9))) : nil
            var request: JSONObject = ["execute": "qom-get", "arguments": ["path": "/objects/s0", "property": random.pick(["data", "iv", "password"])]]
            if let id { request["id"] = id }
            _ = tracker.sent(["execute": "query-status"])
            _ = tracker.sent(.object(request))
            outputs.append(tracker.received(["return": ["status": "running"]]).serialized())
            outputs.append(tracker.received(["event": "STOP", "data": [:]]).serialized())
            var reply: JSONObject = ["return": .string(secret)]
            if let id { reply["id"] = id }
            outputs.append(tracker.received(.object(reply)).serialized())
            for output in outputs {
                #expect(!output.contains(secret), "secret \(secret) survived: \(output)\n  typed: \(typedLine)\n  hmp: \(line)")
            }
        }
    }

    /// The history keeps lines as typed: a line without a secret comes out of `redactLine` byte for byte.
    @Test func typedLinesWithoutSecretsAreUnchanged() {
        let secretMarks = ["password", "passwd", "secret", "iv=", "data=", "command-line", "props=", "\"data\""]
        Fuzz.run("Redaction: typed lines without secrets", ciIterations: 3000) { random, _ in
            let line = FuzzInput.commandLine(&random)
            let lower = line.lowercased()
            guard !secretMarks.contains(where: { lower.contains($0) }),
                  !["hmp", "!", "{", "expect-error"].contains(where: { lower.drop { $0 == " " || $0 == "\t" }.hasPrefix($0) })
            else { return }
            #expect(Redaction.redactLine(line) == line, "\(line.debugDescription)")
        }
    }

    // MARK: - Terminal text

    @Test func controlCharactersAreEscapedAndTextIsKept() {
        #expect(TerminalText.escaped("Device '\u{1b}]0;PWNED\u{07}' not found") == "Device '\\e]0;PWNED\\x07' not found")
        #expect(TerminalText.escaped("a\r\nb\tc\n") == "a\r\nb\tc\n")
        #expect(TerminalText.escaped("over\rwrite \u{9b}31m \u{202e}x") == "over\\x0dwrite \\u{9b}31m \\u{202e}x")
        Fuzz.run("TerminalText: no control character survives", ciIterations: 3000) { random, _ in
            let text = String(String.UnicodeScalarView((0..<random.int(0...40)).map { _ in
                random.chance(0.3) ? Unicode.Scalar(UInt8(random.int(0...0x1f))) : FuzzInput.randomScalar(&random)
            }))
            let escaped = TerminalText.escaped(text)
            let bad = escaped.unicodeScalars.filter { scalar in
                (scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r") || (0x7f...0x9f).contains(scalar.value)
            }
            #expect(bad.isEmpty, "\(text.debugDescription) → \(escaped.debugDescription)")
            if !text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || (0x202a...0x202e).contains($0.value) || (0x2066...0x2069).contains($0.value) }) {
                #expect(escaped == text)
            }
        }
    }
}
