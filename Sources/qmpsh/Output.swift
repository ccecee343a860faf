import QMPWire

/// Unbuffered writes to the standard streams (each call is one `write`, so lines are never interleaved or held back).
/// On a terminal, control characters in the text (QEMU's error text, a guest's strings) are made visible
/// (``TerminalText``); pipes and files get the exact bytes.
enum Output {
    static func out(_ text: String) { write(1, text) }
    static func err(_ text: String) { write(2, text) }

    private static func write(_ fd: Int32, _ text: String) {
        writeAll(fd, TerminalText.forDescriptor(fd, text))
    }
}
