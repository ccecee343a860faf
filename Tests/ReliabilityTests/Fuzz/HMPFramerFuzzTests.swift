import HMP
import Testing

/// Property-based fuzzing of the HMP echo stripper (`HMPStreamFramer`): a synthetic session in QEMU's exact echo
/// format, cut anywhere, gives back the banner and every reply; random bytes never crash it or make it loop.
@Suite(.timeLimit(.minutes(1))) struct HMPFramerFuzzTests {
    /// What QEMU's readline sends while `command` is typed: the line redrawn after each keystroke
    /// (`\e[K` clears to the end, one `\e[D` per character moves back), then `\r\n` when Enter runs it.
    static func echo(of command: String) -> String {
        var text = ""
        let characters = Array(command)
        for length in 1...max(1, characters.count) where !characters.isEmpty {
            text += String(characters[0..<length]) + "\u{1B}[K"
            if length < characters.count { text += String(repeating: "\u{1B}[D", count: length) }
        }
        return text + "\r\n"
    }

    /// A reply: lines of printable text (no escapes, no line that starts with the prompt), each ending `\r\n`.
    static func reply(_ random: inout FuzzRandom) -> String {
        var text = ""
        for _ in 0..<random.int(0...4) {
            var line = ""
            for _ in 0..<random.int(0...40) {
                let scalar = FuzzInput.randomScalar(&random)
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                line.unicodeScalars.append(scalar)
            }
            if random.chance(0.2) { line += "(qemu) inside a line" }
            if line.hasPrefix("(qemu) ") { line = "x" + line }
            text += line + "\r\n"
        }
        return text
    }

    @Test func anyChunkingOfASessionGivesBannerAndReplies() {
        Fuzz.run("HMPStreamFramer: sessions", ciIterations: 3000) { random, _ in
            let banner = "QEMU 7.2.22 monitor - type 'help' for more information\r\n"
            var session = banner + "(qemu) "
            var expected: [HMPStreamFramer.Item] = [.banner(banner)]
            for _ in 0..<random.int(0...5) {
                let command = random.pick(["info status", "info block", "eject -f ide1-cd0", "x", "change vnc password"])
                    + (random.chance(0.3) ? " " + FuzzInput.jsonString(&random).filter { !$0.isNewline && $0 != "\u{1B}" } : "")
                let answer = Self.reply(&random)
                session += Self.echo(of: command) + answer + "(qemu) "
                expected.append(.reply(answer))
            }
            let bytes = Array(session.utf8)
            var framer = HMPStreamFramer()
            var items: [HMPStreamFramer.Item] = []
            for chunk in FuzzInput.chunks(bytes.count, &random) {
                framer.append(bytes[chunk])
                while let item = framer.next() { items.append(item) }
            }
            #expect(items == expected, "session: \(session.debugDescription)")
        }
    }

    @Test func randomAndMutatedBytesNeverCrashOrLoop() {
        Fuzz.run("HMPStreamFramer: random bytes", ciIterations: 3000) { random, _ in
            var bytes = FuzzInput.bytes(&random, maxCount: 512)
            if random.chance(0.5) {
                let session = "QEMU monitor\r\n(qemu) " + Self.echo(of: "info status") + "VM status: running\r\n(qemu) "
                bytes = FuzzInput.mutate(Array(session.utf8), &random)
            }
            var framer = HMPStreamFramer()
            var count = 0
            for chunk in FuzzInput.chunks(bytes.count, &random) {
                framer.append(bytes[chunk])
                while framer.next() != nil {
                    count += 1
                    // Each item ends with a 7-byte prompt: there cannot be more items than that allows.
                    #expect(count <= bytes.count / 7 + 1)
                    if count > bytes.count { return }
                }
            }
        }
    }
}
