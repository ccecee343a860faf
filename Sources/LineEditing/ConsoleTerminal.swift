#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The terminal as a guest's serial console, as `virsh console` makes it: raw mode (every key goes to the guest,
/// Ctrl-C and Ctrl-Z included, and the terminal's answers to the guest's queries such as `ESC[6n` reach it as
/// input instead of being echoed as text), the guest's output printed as it comes, and an escape key (Ctrl-],
/// as in virsh) that gives the terminal back. The terminal's settings are restored on every way out.
public enum ConsoleTerminal {
    /// Why ``attach(output:send:escape:)`` returned.
    public enum Outcome: Sendable, Equatable {
        /// The user typed the escape key.
        case escaped
        /// The console's output ended (the guest's QEMU is gone).
        case ended
    }

    /// The escape key: Ctrl-] (0x1d).
    public static let escapeKey: UInt8 = 0x1d

    /// The terminal settings of standard input before the last raw-mode switch, for ``restoreTerminal()``
    /// from a signal path.
    private static let saved = Mutex<termios?>(nil)

    /// Whether standard input and output are a terminal.
    public static var isInteractive: Bool { isatty(0) == 1 && isatty(1) == 1 }

    /// Connects the terminal to a console until the escape key or the end of `output`: prints `output`, passes
    /// typed bytes to `send`.
    public static func attach(
        output: AsyncStream<[UInt8]>, send: @escaping @Sendable ([UInt8]) -> Void, escape: UInt8 = escapeKey
    ) async -> Outcome {
        guard let stop = Descriptors.makePipe() else { return .ended }
        defer {
            close(stop.read)
            close(stop.write)
        }
        enterRawMode()
        defer { restoreTerminal() }
        let (events, continuation) = AsyncStream<Outcome>.makeStream()
        // Keystrokes: a thread of its own that polls stdin and the stop pipe, so it ends without stealing input
        // meant for whatever reads the terminal next.
        let stopRead = stop.read
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
                let bytes = Array(buffer[0..<count])
                if let at = bytes.firstIndex(of: escape) {
                    if at > 0 { send(Array(bytes[..<at])) }
                    continuation.yield(.escaped)
                    return
                }
                send(bytes)
            }
        }
        let printer = Task {
            for await chunk in output {
                chunk.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let written = write(1, raw.baseAddress! + offset, raw.count - offset)
                        if written < 0 && errno == EINTR { continue }
                        if written <= 0 { break }
                        offset += written
                    }
                }
            }
            continuation.yield(.ended)
        }
        var outcome = Outcome.ended
        for await event in events {
            outcome = event
            break
        }
        printer.cancel()
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
        return outcome
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
