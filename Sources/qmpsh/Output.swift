import MonitorShell
import QMPWire
import Synchronization

/// Unbuffered writes to the standard streams (each call is one `write`, so lines are never interleaved or held back).
/// On a terminal, control characters in the text (QEMU's error text, a guest's strings) are made visible
/// (``TerminalText``); pipes and files get the exact bytes.
///
/// While `-v` writes the wire on stderr (``WireTap``), standard error text goes through the same writer thread, so
/// it stays in order with the wire lines and never waits for a reader that does not keep up.
enum Output {
    private static let standardErrorWriter = Mutex<BackgroundLineWriter?>(nil)

    static func out(_ text: String) { write(1, text) }
    static func err(_ text: String) {
        // A writer closed meanwhile (the tap's end racing another thread) takes nothing: write it directly then.
        if let writer = standardErrorWriter.withLock({ $0 }), writer.enqueue(TerminalText.forDescriptor(2, text), droppable: false) {
            return
        }
        write(2, text)
    }

    /// Routes ``err(_:)`` through `writer`.
    static func send(standardErrorTo writer: BackgroundLineWriter) {
        standardErrorWriter.withLock { $0 = writer }
    }

    /// Writes ``err(_:)`` directly again, unless another writer than `writer` took over meanwhile.
    static func stopSending(standardErrorTo writer: BackgroundLineWriter) {
        standardErrorWriter.withLock { if $0 === writer { $0 = nil } }
    }

    /// Before an `exit` that skips the `-v` writer's own close: writes what it holds (2 s at most), then directly.
    static func finishStandardError() {
        standardErrorWriter.withLock { writer in
            defer { writer = nil }
            return writer
        }?.close(within: TranscriptWriter.closingDeadline)
    }

    private static func write(_ fd: Int32, _ text: String) {
        writeAll(fd, TerminalText.forDescriptor(fd, text))
    }
}
