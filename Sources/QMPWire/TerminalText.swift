#if canImport(Glibc)
import Glibc
#endif

/// Makes text from QEMU, a guest or any peer safe to show on a terminal: control characters become visible escapes
/// (`\e`, `\x07`, `\u{9b}`), so a peer cannot set the window title (`ESC ] 0 ; … BEL`), move the cursor, clear the
/// screen or hide text. Line breaks and tabs stay.
///
/// Escaped: C0 controls except `\n` and `\t` (a lone `\r` too, which would let text overwrite the line), DEL,
/// C1 controls (U+0080–U+009F, which some terminals take as `ESC` sequences), and the bidirectional overrides
/// (U+202A–U+202E, U+2066–U+2069). Text that holds none of them is returned unchanged.
///
/// Not for what a user attaches to on purpose (a guest's serial console), which must reach the terminal as is.
public enum TerminalText {
    /// `text` with control characters made visible.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            if scalar == "\r" && pending == "\n" {
                result.unicodeScalars.append(scalar)  // \r\n is a line break
            } else if !needsEscape(scalar) {
                result.unicodeScalars.append(scalar)
            } else if scalar.value == 0x1b {
                result += "\\e"
            } else if scalar.value < 0x80 {
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count == 1 ? "0" : "") + hex
            } else {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return result
    }

    /// ``escaped(_:)`` when `fd` is a terminal, `text` unchanged otherwise (files and pipes get the exact bytes).
    public static func forDescriptor(_ fd: Int32, _ text: String) -> String {
        isatty(fd) == 1 ? escaped(text) : text
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0a, 0x09: return false
        case 0x00...0x1f, 0x7f...0x9f, 0x202a...0x202e, 0x2066...0x2069: return true
        default: return false
        }
    }
}
