import QMPWire

/// Unbuffered writes to the standard streams (each call is one `write`, so lines are never interleaved or held back).
enum Output {
    static func out(_ text: String) { write(1, text) }
    static func err(_ text: String) { write(2, text) }

    private static func write(_ fd: Int32, _ text: String) {
        writeAll(fd, text)
    }
}
