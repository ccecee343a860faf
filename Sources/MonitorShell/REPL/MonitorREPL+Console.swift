import QMP

/// The shell's commands for a guest's screen, keyboard and serial console: `.console`, `.screenshot FILE`,
/// `.type TEXT`, `.key COMBO`.
extension MonitorREPL {
    static let guestCommands: [(name: String, arguments: String, summary: String)] = [
        (".console", "", "switch to the guest's serial console (booted guests); Ctrl-] comes back"),
        (".screenshot", "FILE", "the guest's screen as PNG (or .ppm), written here, relative to your folder"),
        (".type", "TEXT", "type TEXT on the guest's keyboard (\\n is Enter)"),
        (".key", "COMBO", "press a key combination, e.g. ctrl-alt-f2, ret, esc"),
    ]

    /// Runs `.console`, `.screenshot`, `.type` or `.key`; `rest` is the line after the command's name. Ends the
    /// shell when the user chose to power the guest down from the console.
    func runGuestCommand(_ name: String, rest: String) async -> Outcome {
        let argument = rest.drop { $0.isWhitespace }
        do {
            switch name {
            case ".console":
                guard let attach = options.attachConsole else {
                    print("UsageError: .console needs a guest qmpsh booted in this terminal (qmpsh boot --shell); for a detached guest use `qmpsh console NAME`", to: .error)
                    return .proceed
                }
                if await attach() { return .quit }
            case ".screenshot":
                guard !argument.isEmpty else { return usage(".screenshot FILE") }
                let size = try await Screenshot.capture(try qmpClient(for: name), to: String(argument))
                print("# \(argument): \(size.width)x\(size.height)")
            case ".type":
                guard !argument.isEmpty else { return usage(".type TEXT") }
                try await KeyboardInput.send(KeyboardInput.chords(typing: String(argument)), to: qmpClient(for: name))
            default:
                guard !argument.isEmpty else { return usage(".key COMBO (e.g. ctrl-alt-f2)") }
                let chords = try argument.split(separator: " ").map { word throws(QMPUsageError) in
                    try KeyboardInput.chord(combination: String(word))
                }
                try await KeyboardInput.send(chords, to: qmpClient(for: name))
            }
        } catch let error as QMPError {
            print("\(error)", to: .error)
        } catch {
            print("Error: \(error)", to: .error)
        }
        return .proceed
    }

    private func usage(_ text: String) -> Outcome {
        print("UsageError: " + text, to: .error)
        return .proceed
    }

    private func qmpClient(for command: String) throws(QMPUsageError) -> QMPClient {
        let session = state.withLock { sessions[$0.current] }
        guard let client = session.client else { throw QMPUsageError("\(command) needs a QMP monitor") }
        return client
    }
}
