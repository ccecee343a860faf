/// Splits what a direct HMP socket sends into the banner and one reply per command.
///
/// QEMU's HMP readline echoes every keystroke, redrawing the line with ANSI escapes (`\e[K`, `\e[D`), ends the echo
/// with `\r\n` when the command runs, prints the reply, then the prompt `(qemu) `. The framer drops the echo and the
/// escape sequences and frames each reply on the prompt, so a reply is the same text `human-monitor-command` returns.
/// Bytes may arrive cut anywhere, one at a time included.
public struct HMPStreamFramer: Sendable {
    /// One result of framing.
    public enum Item: Sendable, Equatable {
        /// The text before the first prompt (`QEMU 7.2.22 monitor - type 'help' for more information\r\n`).
        case banner(String)
        /// A command's output, without echo, escapes or prompt (lines end with `\r\n`; may be empty).
        case reply(String)
    }

    private enum Phase: Sendable {
        case banner
        case echo
        case reply
    }

    private enum Escape: Sendable {
        case none
        case escape
        case csi
    }

    static let prompt = Array("(qemu) ".utf8)

    private var phase = Phase.banner
    private var escape = Escape.none
    private var text: [UInt8] = []
    private var ready: [Item] = []
    private var readyIndex = 0
    /// In the echo: the previous byte was `\r`.
    private var echoSawCR = false

    /// A framer that expects the banner first, as a freshly connected HMP socket sends it.
    public init() {}

    /// True once the banner and its prompt have been read.
    public var sawBanner: Bool { phase != .banner }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { consume(byte) }
    }

    /// The next complete item, or `nil` when more bytes are needed.
    public mutating func next() -> Item? {
        guard readyIndex < ready.count else { return nil }
        defer {
            readyIndex += 1
            if readyIndex == ready.count {
                ready.removeAll(keepingCapacity: true)
                readyIndex = 0
            }
        }
        return ready[readyIndex]
    }

    private mutating func consume(_ byte: UInt8) {
        // ANSI escape sequences: ESC, or ESC [ parameters... final byte.
        switch escape {
        case .escape:
            escape = byte == UInt8(ascii: "[") ? .csi : .none
            return
        case .csi:
            if (0x40...0x7E).contains(byte) { escape = .none }
            return
        case .none:
            if byte == 0x1B {
                escape = .escape
                return
            }
        }
        switch phase {
        case .echo:
            if echoSawCR && byte == UInt8(ascii: "\n") {
                phase = .reply
                text.removeAll(keepingCapacity: true)
            }
            echoSawCR = byte == UInt8(ascii: "\r")
        case .banner, .reply:
            text.append(byte)
            if byte == UInt8(ascii: " "), endsWithPrompt() {
                let body = String(decoding: text[0..<(text.count - HMPStreamFramer.prompt.count)], as: UTF8.self)
                ready.append(phase == .banner ? .banner(body) : .reply(body))
                text.removeAll(keepingCapacity: true)
                phase = .echo
                echoSawCR = false
            }
        }
    }

    /// The text ends with the prompt, which stands at the start of a line.
    private func endsWithPrompt() -> Bool {
        let count = HMPStreamFramer.prompt.count
        guard text.count >= count, text[(text.count - count)...].elementsEqual(HMPStreamFramer.prompt) else { return false }
        return text.count == count || text[text.count - count - 1] == UInt8(ascii: "\n")
    }
}
