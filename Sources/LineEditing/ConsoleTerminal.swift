#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The terminal as a guest's serial console, as `virsh console` makes it: raw mode (every key goes to the guest,
/// Ctrl-Z included, and the terminal's answers to the guest's queries such as `ESC[6n` reach it as input instead
/// of being echoed as text), the guest's output printed as it comes, and an escape key (Ctrl-], as in virsh) that
/// gives the terminal back. Ctrl-C goes to the guest too, or, when the caller gives a question, asks it first
/// (a foreground boot asks whether to power the guest down). The terminal's settings are restored on every way
/// out.
public enum ConsoleTerminal {
    /// Why ``attach(output:send:escape:interruptQuestion:)`` returned.
    public enum Outcome: Sendable, Equatable {
        /// The user typed the escape key.
        case escaped
        /// The console's output ended (the guest's QEMU is gone).
        case ended
        /// The user answered `y` to the question a Ctrl-C asks (``attach(output:send:escape:interruptQuestion:)``).
        case confirmed
    }

    /// The escape key: Ctrl-] (0x1d).
    public static let escapeKey: UInt8 = 0x1d

    /// The interrupt key: Ctrl-C (0x03).
    public static let interruptKey: UInt8 = 0x03

    /// The terminal settings of standard input before the last raw-mode switch, for ``restoreTerminal()``
    /// from a signal path.
    private static let saved = Mutex<termios?>(nil)

    /// Whether standard input and output are a terminal.
    public static var isInteractive: Bool { isatty(0) == 1 && isatty(1) == 1 }

    /// What the terminal shows, in order: the console's output and the interrupt question.
    enum Display: Sendable, Equatable {
        case output([UInt8])
        /// Show the question on the current line (the console's output is held meanwhile).
        case ask
        /// Take the question away: the line as the console left it, then the output held meanwhile.
        case dismiss
        /// As `dismiss`, then a new line (the caller reports what happens next).
        case confirm
    }

    /// Connects the terminal to a console until the escape key or the end of `output`: prints `output`, passes
    /// typed bytes to `send`.
    ///
    /// With `interruptQuestion`, Ctrl-C is not passed on at once: the question replaces the current line (the
    /// console's output is held meanwhile) and the next key answers it. `y` ends the attachment with
    /// ``Outcome/confirmed``; a second Ctrl-C sends Ctrl-C after all; the escape key escapes; any other key takes
    /// the question away and is not sent. The line as it was and the held output come back.
    public static func attach(
        output: AsyncStream<[UInt8]>, send: @escaping @Sendable ([UInt8]) -> Void, escape: UInt8 = escapeKey,
        interruptQuestion: String? = nil
    ) async -> Outcome {
        guard let stop = Descriptors.makePipe() else { return .ended }
        defer {
            close(stop.read)
            close(stop.write)
        }
        enterRawMode()
        defer { restoreTerminal() }
        let (events, continuation) = AsyncStream<Outcome>.makeStream()
        // Everything written to the terminal goes through one task, in order, so the question never lands in the
        // middle of the console's output and nothing holds a lock across a write.
        let (display, displayInput) = AsyncStream<Display>.makeStream()
        let question = interruptQuestion.map { Array($0.utf8) }
        // Keystrokes: a thread of its own that polls stdin and the stop pipe, so it ends without stealing input
        // meant for whatever reads the terminal next.
        let stopRead = stop.read
        // Cursor-position queries the console wrote against the answers the terminal typed back (see
        // `PositionReports`): one still unanswered when the console is left is read before the terminal is handed on.
        let reports = PositionReports.Shared()
        let readerDone = Mutex<UnsafeContinuation<Void, Never>?>(nil)
        let readerFinished = Atomic<Bool>(false)
        Descriptors.startThread {
            defer {
                readerFinished.store(true, ordering: .sequentiallyConsistent)
                readerDone.withLock { value in
                    defer { value = nil }
                    return value
                }?.resume()
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            var keys = KeyRouter(escape: escape, asksOnInterrupt: question != nil)
            while true {
                let ready = Descriptors.waitReadable([0, stopRead])
                if ready[1] { return }
                guard ready[0] else { continue }
                let count = read(0, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    continuation.yield(.ended)
                    return
                }
                _ = reports.state.withLock { $0.scanInput(buffer[0..<count]) }
                let routed = keys.route(buffer[0..<count])
                for action in routed.actions {
                    switch action {
                    case .send(let bytes): send(bytes)
                    case .show(let change): displayInput.yield(change)
                    }
                }
                if let outcome = routed.outcome {
                    continuation.yield(outcome)
                    return
                }
            }
        }
        let forwarder = Task {
            for await chunk in output { displayInput.yield(.output(chunk)) }
            continuation.yield(.ended)
        }
        let printer = Task {
            var screen = ScreenState()
            for await change in display {
                let bytes = screen.apply(change, question: question ?? [])
                if !bytes.isEmpty {
                    reports.state.withLock { $0.scanOutput(bytes) }
                    writeAll(bytes)
                }
            }
        }
        var outcome = Outcome.ended
        for await event in events {
            outcome = event
            break
        }
        forwarder.cancel()
        Descriptors.wakeUp(stop.write)
        // Wait for the key reader to leave before the terminal is handed on (it must not read the next input).
        if !readerFinished.load(ordering: .sequentiallyConsistent) {
            await withUnsafeContinuation { (waiting: UnsafeContinuation<Void, Never>) in
                let finished = readerDone.withLock { value -> Bool in
                    if readerFinished.load(ordering: .sequentiallyConsistent) { return true }
                    value = waiting
                    return false
                }
                if finished { waiting.resume() }
            }
        }
        // What was queued for the terminal (the answer to the question) is written before the terminal is handed on.
        displayInput.finish()
        await printer.value
        // The terminal may still owe an answer to a query the guest made just before the console was left: read it
        // on a thread of its own (it waits, with a deadline), so no thread of the caller's pool blocks.
        if outcome != .ended && reports.state.withLock({ $0.unanswered > 0 }) {
            await withUnsafeContinuation { (done: UnsafeContinuation<Void, Never>) in
                Descriptors.startThread {
                    readUnansweredReports(reports, send: send)
                    done.resume()
                }
            }
        }
        return outcome
    }

    /// How long the terminal gets to answer a cursor-position query that was still open when the console was left.
    static let reportDeadlineMilliseconds = 500

    /// Reads (still in raw mode) the terminal's answers to cursor-position queries the guest made just before the
    /// console was left, and passes them to the guest that asked. Left unread they would reach the monitor shell
    /// as typed text (`^[[29;8R`, or `9;8R` after its prompt). Waits at most ``reportDeadlineMilliseconds``, and
    /// stops at the first byte that is not part of an answer (typed for the shell; it is passed to the guest too,
    /// since a terminal cannot take input back).
    static func readUnansweredReports(_ reports: PositionReports.Shared, send: @Sendable ([UInt8]) -> Void) {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(reportDeadlineMilliseconds)
        var answer: [UInt8] = []
        while reports.state.withLock({ $0.unanswered > 0 }) {
            let left = deadline - clock.now
            guard left > .zero else { break }
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard Descriptors.waitReadable([0], timeoutMilliseconds: milliseconds)[0] else { continue }
            var byte: UInt8 = 0
            let count = read(0, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { break }
            answer.append(byte)
            let fits = reports.state.withLock { $0.scanInput([byte][...]) }
            if !fits { break }
        }
        if !answer.isEmpty { send(answer) }
    }

    /// Counts the cursor-position queries (`ESC[6n`) written to the terminal and the answers (`ESC[row;colR`) read
    /// back from it, across chunks.
    struct PositionReports: Sendable {
        /// One count shared by the key reader, the printer and the final read.
        final class Shared: Sendable {
            let state = Mutex(PositionReports())
        }

        /// Queries written and not answered yet.
        private(set) var unanswered = 0
        /// Where the input scanner stands in an answer: 0 outside one, 1 after `ESC`, 2 inside `ESC[` parameters.
        private var inputState = 0
        /// The same for the output scanner and the query `ESC[6n`: 0, 1 after `ESC`, 2 after `ESC[`, 3 after `ESC[6`.
        private var outputState = 0

        /// Notes the queries in bytes written to the terminal.
        mutating func scanOutput(_ bytes: [UInt8]) {
            for byte in bytes {
                switch (outputState, byte) {
                case (_, 0x1b): outputState = 1
                case (1, UInt8(ascii: "[")): outputState = 2
                case (2, UInt8(ascii: "6")): outputState = 3
                case (3, UInt8(ascii: "n")):
                    unanswered += 1
                    outputState = 0
                default: outputState = 0
                }
            }
        }

        /// Notes the answers in bytes read from the terminal; false when the last byte cannot be part of one.
        @discardableResult
        mutating func scanInput(_ bytes: ArraySlice<UInt8>) -> Bool {
            var fits = true
            for byte in bytes {
                fits = true
                switch (inputState, byte) {
                case (_, 0x1b): inputState = 1
                case (1, UInt8(ascii: "[")): inputState = 2
                case (2, UInt8(ascii: "0")...UInt8(ascii: "9")), (2, UInt8(ascii: ";")): break
                case (2, UInt8(ascii: "R")):
                    if unanswered > 0 { unanswered -= 1 }
                    inputState = 0
                default:
                    inputState = 0
                    fits = false
                }
            }
            return fits
        }
    }

    /// Writes all of `bytes` to standard output.
    static func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(1, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Decides what each typed key does (a value, so it is tested without a terminal).
    struct KeyRouter {
        /// What to do with one chunk of keys.
        enum Action: Equatable {
            case send([UInt8])
            case show(Display)
        }

        let escape: UInt8
        let asksOnInterrupt: Bool
        /// The interrupt question is on the screen; the next key answers it.
        var asking = false

        /// The actions for `keys`, in order, and the outcome when they end the attachment.
        mutating func route(_ keys: ArraySlice<UInt8>) -> (actions: [Action], outcome: Outcome?) {
            var actions: [Action] = []
            var pending: [UInt8] = []
            func flush() {
                if !pending.isEmpty { actions.append(.send(pending)) }
                pending = []
            }
            var index = keys.startIndex
            while index < keys.endIndex {
                let key = keys[index]
                index += 1
                if asking {
                    asking = false
                    switch key {
                    case ConsoleTerminal.interruptKey:
                        actions.append(.show(.dismiss))
                        pending.append(key)
                    case escape:
                        flush()
                        actions.append(.show(.dismiss))
                        return (actions, .escaped)
                    case UInt8(ascii: "y"), UInt8(ascii: "Y"):
                        flush()
                        actions.append(.show(.confirm))
                        return (actions, .confirmed)
                    case 0x1b:
                        // An arrow or function key as the answer: its whole sequence is dropped with it.
                        actions.append(.show(.dismiss))
                        index = keys.endIndex
                    default:
                        actions.append(.show(.dismiss))
                    }
                } else if key == escape {
                    flush()
                    return (actions, .escaped)
                } else if key == ConsoleTerminal.interruptKey && asksOnInterrupt {
                    flush()
                    asking = true
                    actions.append(.show(.ask))
                } else {
                    pending.append(key)
                }
            }
            flush()
            return (actions, nil)
        }
    }

    /// What the terminal shows, for putting the console's line back after the question.
    struct ScreenState {
        /// The question is on the screen.
        var asking = false
        /// Console output held while the question is shown (the newest 1 MiB).
        var held: [UInt8] = []
        /// What the console printed since its last line feed (the newest 4 KiB), to redraw that line.
        var line: [UInt8] = []
        /// The start of an escape sequence the console's last chunk ended in, held back until the rest comes. Written
        /// alone, a lone `ESC` would swallow what the terminal shows next (the shell's `(qmp …)` prompt became
        /// `mp …)`: `ESC ( q` is a charset designation); if the console is left first, it is never written.
        var partialEscape: [UInt8] = []

        static let heldLimit = 1 << 20
        static let lineLimit = 4096

        /// The bytes to write for `change`.
        mutating func apply(_ change: Display, question: [UInt8]) -> [UInt8] {
            let clearLine: [UInt8] = Array("\r\u{1b}[K".utf8)
            switch change {
            case .output(let chunk):
                var bytes = partialEscape + chunk
                partialEscape = []
                if let start = Self.incompleteEscapeStart(bytes) {
                    partialEscape = Array(bytes[start...])
                    bytes.removeSubrange(start...)
                }
                if asking {
                    held += bytes
                    if held.count > Self.heldLimit { held.removeFirst(held.count - Self.heldLimit) }
                    return []
                }
                remember(bytes)
                return bytes
            case .ask:
                asking = true
                return clearLine + question
            case .dismiss, .confirm:
                guard asking else { return change == .confirm ? Array("\r\n".utf8) : [] }
                asking = false
                let shown = held
                held = []
                let before = Self.withoutQueries(line)
                remember(shown)
                return clearLine + before + shown + (change == .confirm ? Array("\r\n".utf8) : [])
            }
        }

        /// Where an escape sequence that `bytes` ends in without finishing it starts: a lone `ESC`, `ESC` and an
        /// intermediate byte (`ESC (`), or a control sequence (`ESC [`) without its final byte. `nil` when the bytes
        /// end in no such thing (or the unfinished sequence is implausibly long: 64 bytes, then it is let through).
        static func incompleteEscapeStart(_ bytes: [UInt8]) -> Int? {
            let floor = max(0, bytes.count - 64)
            guard let start = bytes[floor...].lastIndex(of: 0x1b) else { return nil }
            let rest = bytes[(start + 1)...]
            guard let first = rest.first else { return start }
            if first == UInt8(ascii: "[") {
                return rest.dropFirst().allSatisfy { (0x20...0x3f).contains($0) } ? start : nil
            }
            if (0x20...0x2f).contains(first) {
                return rest.allSatisfy { (0x20...0x2f).contains($0) } ? start : nil
            }
            return nil
        }

        /// `bytes` without the terminal queries in it (`ESC[6n`, `ESC[c`): drawn again, they would make the terminal
        /// answer a second time, and the guest would read that answer as typed text.
        static func withoutQueries(_ bytes: [UInt8]) -> [UInt8] {
            var result: [UInt8] = []
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x1b, index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "[") {
                    // A control sequence: parameters and intermediates (0x20–0x3f), then one final byte (0x40–0x7e).
                    var end = index + 2
                    while end < bytes.count, (0x20...0x3f).contains(bytes[end]) { end += 1 }
                    if end < bytes.count {
                        let final = bytes[end]
                        if final != UInt8(ascii: "n") && final != UInt8(ascii: "c") { result += bytes[index...end] }
                        index = end + 1
                        continue
                    }
                }
                result.append(bytes[index])
                index += 1
            }
            return result
        }

        private mutating func remember(_ bytes: [UInt8]) {
            if let feed = bytes.lastIndex(of: UInt8(ascii: "\n")) {
                line = Array(bytes[(feed + 1)...])
            } else {
                line += bytes
            }
            if line.count > Self.lineLimit { line.removeFirst(line.count - Self.lineLimit) }
        }
    }

    /// Raw mode on standard input (no echo, no line editing, no signals from keys, no output processing).
    public static func enterRawMode() {
        var settings = termios()
        guard tcgetattr(0, &settings) == 0 else { return }
        saved.withLock { $0 = settings }
        var raw = settings
        cfmakeraw(&raw)
        // Keep output post-processing, so the host's own lines still start at the left margin.
        raw.c_oflag = settings.c_oflag
        tcsetattr(0, TCSANOW, &raw)
    }

    /// Puts the settings from before ``enterRawMode()`` back (safe to call more than once).
    public static func restoreTerminal() {
        let previous = saved.withLock { value in
            defer { value = nil }
            return value
        }
        guard var previous else { return }
        tcsetattr(0, TCSANOW, &previous)
    }
}
