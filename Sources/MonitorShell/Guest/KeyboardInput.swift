public import QMP
public import QMPWire

/// Keystrokes for a guest's keyboard through QMP `send-key`: text typed key by key (`.type`, `qmpsh type`) and key
/// combinations such as `ctrl-alt-f2` (`.key`, `qmpsh type --key`), for menus and installers on the guest's screen.
public enum KeyboardInput {
    /// One chord: the QEMU key codes (`qcode`) pressed together.
    public typealias Chord = [String]

    /// Friendly names for keys, besides QEMU's own qcode names (which are accepted as they are).
    static let aliases: [String: String] = [
        "control": "ctrl", "enter": "ret", "return": "ret", "escape": "esc", "del": "delete", "space": "spc",
        "pgup": "pgup", "pageup": "pgup", "pgdn": "pgdn", "pagedown": "pgdn", "win": "meta_l", "super": "meta_l",
        "meta": "meta_l", "bs": "backspace", "ins": "insert",
    ]

    static let unshifted: [Character: String] = [
        " ": "spc", "\n": "ret", "\t": "tab", "-": "minus", "=": "equal", "[": "bracket_left", "]": "bracket_right",
        ";": "semicolon", "'": "apostrophe", "`": "grave_accent", "\\": "backslash", ",": "comma", ".": "dot",
        "/": "slash",
    ]

    static let shifted: [Character: String] = [
        "!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9", ")": "0",
        "_": "minus", "+": "equal", "{": "bracket_left", "}": "bracket_right", ":": "semicolon", "\"": "apostrophe",
        "~": "grave_accent", "|": "backslash", "<": "comma", ">": "dot", "?": "slash",
    ]

    /// The chords that type `text` on a US keyboard layout; `\n` (a real newline, or backslash-n) is Enter,
    /// `\t` Tab. Throws for a character no key produces.
    public static func chords(typing text: String) throws(QMPUsageError) -> [Chord] {
        var chords: [Chord] = []
        var characters = Array(text)
        var index = 0
        // Backslash escapes, as typed in a shell: \n, \t, \\.
        var decoded: [Character] = []
        while index < characters.count {
            if characters[index] == "\\", index + 1 < characters.count, "nt\\".contains(characters[index + 1]) {
                decoded.append(["n": "\n", "t": "\t", "\\": "\\"][characters[index + 1]]!)
                index += 2
            } else {
                decoded.append(characters[index])
                index += 1
            }
        }
        characters = decoded
        for character in characters {
            if let lower = character.lowercased().first, character.isASCII, character.isLetter {
                chords.append(character.isUppercase ? ["shift", String(lower)] : [String(lower)])
            } else if character.isASCII, character.isNumber {
                chords.append([String(character)])
            } else if let code = unshifted[character] {
                chords.append([code])
            } else if let code = shifted[character] {
                chords.append(["shift", code])
            } else {
                throw QMPUsageError("no key types '\(character)' (US layout): use .key with QEMU's key names")
            }
        }
        return chords
    }

    /// The chord of a combination such as `ctrl-alt-f2`, `shift-tab`, `ret` or `ctrl-minus`.
    public static func chord(combination text: String) throws(QMPUsageError) -> Chord {
        let names = text.lowercased().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard !names.isEmpty, !names.contains("") else {
            throw QMPUsageError("'\(text)' is not a key combination: write keys joined by '-', e.g. ctrl-alt-f2")
        }
        return try names.map { name throws(QMPUsageError) -> String in
            if let alias = aliases[name] { return alias }
            if name.count == 1, let character = name.first {
                if let code = unshifted[character] { return code }
                if character.isASCII && (character.isLetter || character.isNumber) { return name }
            }
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw QMPUsageError("unknown key '\(name)' in '\(text)': use QEMU's key names (ctrl, alt, shift, f2, ret, esc, ...)")
            }
            return name
        }
    }

    /// The `send-key` arguments for one chord.
    public static func sendKeyArguments(_ chord: Chord) -> JSON {
        let keys: [JSON] = chord.map { ["type": "qcode", "data": .string($0)] }
        return ["keys": .array(keys)]
    }

    /// Presses each chord in turn through `send-key`.
    public static func send(_ chords: [Chord], to client: QMPClient) async throws {
        for chord in chords {
            _ = try await client.execute("send-key", arguments: sendKeyArguments(chord))
        }
    }
}
