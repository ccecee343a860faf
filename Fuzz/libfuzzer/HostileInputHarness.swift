// libFuzzer harness for the checks of issue 20 (hostile input). Not a package target: built by
// scripts/fuzz-libfuzzer.sh hostile together with QMPWire's sources, with `swiftc -sanitize=fuzzer`.
//
// The first input byte picks the target, the rest is its input (as UTF-8, lossily). Invariants are checked with
// `precondition`, so a violation is a crash that libFuzzer saves as a reproducer:
// - Seconds: any number parsed from the text gives a Duration exactly when it is in range;
// - LinearRegex: a pattern (before the first NUL) compiles or is refused; a match (on the text after it) lies inside
//   the text, and matching twice gives the same range;
// - Redaction: typed lines, HMP lines and JSON never crash it, and redacting twice changes nothing more;
// - TerminalText: no C0 (other than \n, \t, \r) or C1 control character survives.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHostileInput(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: count)
    guard let first = input.first else { return 0 }
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    switch first % 4 {
    case 0:
        if let value = Double(text) {
            let duration = Seconds.duration(value)
            precondition((duration != nil) == (value.isFinite && value > 0 && value <= Seconds.maximum), "range")
        }
    case 1:
        let parts = text.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
        guard let regex = try? LinearRegex(String(parts[0].prefix(64))) else { return 0 }
        let subject = parts.count > 1 ? String(parts[1]) : ""
        let found = regex.firstMatch(in: subject)
        if let found { precondition(found.lowerBound >= subject.startIndex && found.upperBound <= subject.endIndex, "inside") }
        precondition(regex.firstMatch(in: subject) == found, "deterministic")
    case 2:
        let line = Redaction.redactLine(text)
        precondition(Redaction.redactLine(line) == line, "typed lines: idempotent")
        let hmp = Redaction.redactHMP(text)
        precondition(Redaction.redactHMP(hmp) == hmp, "HMP lines: idempotent")
        if let json = try? JSON(parsing: text) {
            let redacted = Redaction.redact(json)
            precondition(Redaction.redact(redacted) == redacted, "JSON: idempotent")
        }
    default:
        let escaped = TerminalText.escaped(text)
        for scalar in escaped.unicodeScalars {
            let value = scalar.value
            precondition(!(value < 0x20 && value != 0x0a && value != 0x09 && value != 0x0d) && !(0x7f...0x9f).contains(value), "control")
        }
    }
    return 0
}
