#if canImport(Glibc)
import Glibc
#endif
import CLibEdit
import QMPWire
import Synchronization

extension LibEditLineEditor {
    /// The libedit handles and the state of the line being edited.
    ///
    /// `@unchecked Sendable`: every member is touched only on the editor's own thread (``EditorThread`` runs
    /// each job there, and libedit calls the callbacks from inside `el_gets` on that thread); other threads only
    /// pass the object along to it.
    final class Core: @unchecked Sendable {
        let program: String
        let historyFile: String?
        let shared: SharedState
        var editLine: OpaquePointer?
        var history: OpaquePointer?
        var historyEvent = HistEvent()
        var prompt: UnsafeMutablePointer<CChar>?
        var promptWidth = 0
        var multibyteState = mbstate_t()
        var previousSignals: [(Int32, sigaction)] = []
        /// Why the current `el_gets` was stopped from inside the input function.
        var stopReason: LineEditorResult?
        /// The text before the cursor after the last Tab, to tell a second Tab in a row.
        var textAfterLastTab: String?

        init(program: String, historyFile: String?, shared: SharedState) {
            self.program = program
            self.historyFile = historyFile
            self.shared = shared
        }

        func setUp() {
            guard let editLine = el_init(program, qk_stdin(), qk_stdout(), qk_stderr()) else { return }
            self.editLine = editLine
            qk_el_set_clientdata(editLine, Unmanaged.passUnretained(self).toOpaque())
            qk_el_set_editor(editLine, "emacs")
            qk_el_set_signal(editLine, 0)
            qk_el_set_prompt(editLine) { editLine in Core.from(editLine)?.prompt }
            qk_el_set_getcfn(editLine) { editLine, character in
                guard let core = Core.from(editLine), let character else { return -1 }
                return core.readCharacter(into: character)
            }
            qk_el_addfn(editLine, "qk-complete", "complete the word before the cursor") { editLine, _ in
                Core.from(editLine)?.complete() ?? UInt8(CC_REFRESH_BEEP)
            }
            qk_el_bind(editLine, "^I", "qk-complete")
            qk_el_bind(editLine, "^R", "em-inc-search-prev")
            if let history = history_init() {
                self.history = history
                qk_history_setsize(history, &historyEvent, 1000)
                qk_history_setunique(history, &historyEvent, 1)
                if let historyFile {
                    HistoryLocation.createParentDirectories(of: historyFile)
                    qk_history_load(history, &historyEvent, historyFile)
                }
                qk_el_set_history(editLine, history)
            }
            previousSignals = TerminalSignals.install(wakeDescriptor: shared.wakePipe.write)
        }

        func tearDown() {
            saveHistory()
            if let editLine { el_end(editLine) }
            if let history { history_end(history) }
            editLine = nil
            history = nil
            free(prompt)
            prompt = nil
            TerminalSignals.restore(previousSignals)
        }

        static func from(_ editLine: OpaquePointer?) -> Core? {
            guard let editLine, let data = qk_el_get_clientdata(editLine) else { return nil }
            return Unmanaged<Core>.fromOpaque(data).takeUnretainedValue()
        }

        // MARK: - Reading a line

        func getLine(prompt text: String) -> LineEditorResult {
            guard let editLine else { return .endOfInput }
            free(prompt)
            prompt = strdup(text)
            promptWidth = Self.displayWidth(text)
            // A Ctrl-C pressed while no line was being read (a command was running) is not for this line.
            TerminalSignals.discard(SIGINT)
            let early = shared.state.withLock { state -> LineEditorResult? in
                if state.closing { return .endOfInput }
                if state.woken {
                    state.woken = false
                    return .woken
                }
                flush(&state)
                state.reading = true
                return nil
            }
            if let early { return early }
            defer {
                shared.state.withLock { state in
                    state.reading = false
                    flush(&state)
                }
            }
            textAfterLastTab = nil
            while true {
                stopReason = nil
                var count: Int32 = 0
                if let line = el_gets(editLine, &count) {
                    var text = String(cString: line)
                    if text.hasSuffix("\n") { text.removeLast() }
                    return .line(text)
                }
                if count == 0 && stopReason == nil {
                    Descriptors.writeAll(1, "\n")
                    return .endOfInput
                }
                if let reason = stopReason {
                    el_reset(editLine)
                    // End the abandoned line, so that what follows starts on a line of its own.
                    Descriptors.writeAll(1, reason == .interrupted ? "^C\n" : "\n")
                    return reason
                }
                // Another failure reading the terminal: the input is gone.
                if errno != EINTR && errno != EAGAIN { return .endOfInput }
            }
        }

        /// Writes output queued while no line was edited (called with the lock held).
        private func flush(_ state: inout SharedState.State) {
            for (text, stream) in state.pending { Descriptors.writeAll(stream == .output ? 1 : 2, text) }
            state.pending.removeAll()
        }

        /// libedit's input function: one wide character from standard input (1), end of input (0), or -1 with
        /// `stopReason` set when the line is to be abandoned. Handles signals and output in between keys.
        func readCharacter(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
            var byte: UInt8 = 0
            while true {
                if let stop = handleWakeUps() {
                    stopReason = stop
                    errno = EINTR
                    return -1
                }
                let ready = Descriptors.waitReadable([0, shared.wakePipe.read])
                if ready[1] { Descriptors.drain(shared.wakePipe.read) }
                guard ready[0] else { continue }
                let count = read(0, &byte, 1)
                if count == 0 { return 0 }
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return -1
                }
                var wide: wchar_t = 0
                let converted = withUnsafePointer(to: &byte) { pointer in
                    pointer.withMemoryRebound(to: CChar.self, capacity: 1) { mbrtowc(&wide, $0, 1, &multibyteState) }
                }
                if converted == size_t.max - 1 { continue }
                if converted == size_t.max {
                    multibyteState = mbstate_t()
                    continue
                }
                character.pointee = wide
                return 1
            }
        }

        /// Between lines: Ctrl-C interrupts the running command (if something waits for that), a resize is
        /// noted; other wake-ups (a pending ``wake()``) stay for the next read.
        func handleIdleWakeUp() {
            Descriptors.drain(shared.wakePipe.read)
            guard let editLine else { return }
            if TerminalSignals.isPending(SIGINT) {
                TerminalSignals.discard(SIGINT)
                // The terminal has echoed ^C; what the waiter prints goes on the next line.
                if shared.commandInterrupts.hasWaiters {
                    Descriptors.writeAll(1, "\n")
                    shared.commandInterrupts.fire()
                }
            }
            if TerminalSignals.isPending(SIGWINCH) {
                TerminalSignals.discard(SIGWINCH)
                el_resize(editLine)
            }
            if TerminalSignals.isPending(SIGCONT) { TerminalSignals.discard(SIGCONT) }
        }

        /// Acts on signals and on output, wake-ups and closing requested by other threads; returns why the line
        /// is to be abandoned, if it is.
        private func handleWakeUps() -> LineEditorResult? {
            guard let editLine else { return .endOfInput }
            let signals = TerminalSignals.take()
            let (pending, woken, closing) = shared.state.withLock { state in
                defer {
                    state.pending.removeAll()
                    state.woken = false
                }
                return (state.pending, state.woken, state.closing)
            }
            let resized = signals & (1 << Int(SIGWINCH)) != 0
            let continued = signals & (1 << Int(SIGCONT)) != 0
            if resized { el_resize(editLine) }
            if continued {
                // Back from Ctrl-Z and `fg`: the shell that ran meanwhile set the terminal its own way. Leaving and
                // entering editing mode again reads the current settings and applies libedit's on top.
                qk_el_prep_term(editLine, 0)
                qk_el_prep_term(editLine, 1)
            }
            if resized || continued || !pending.isEmpty { printAbove(pending) }
            if closing { return .endOfInput }
            if signals & (1 << Int(SIGINT)) != 0 { return .interrupted }
            if woken { return .woken }
            return nil
        }

        /// Prints `chunks` above the prompt: moves to the prompt's first row, clears to the end of the screen,
        /// prints, and lets libedit draw the prompt and the line again below.
        func printAbove(_ chunks: [(String, LineEditorStream)]) {
            guard let editLine, let info = el_wline(editLine)?.pointee else { return }
            let columns = max(1, Int(qk_el_columns(editLine)))
            var width = promptWidth
            var pointer = info.buffer!
            while pointer < info.cursor {
                width += max(0, Int(wcwidth(pointer.pointee)))
                pointer += 1
            }
            let rows = width / columns
            Descriptors.writeAll(1, (rows > 0 ? "\u{1b}[\(rows)A" : "") + "\r\u{1b}[J")
            for (text, stream) in chunks {
                var text = text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
                if !text.hasSuffix("\n") { text += "\r\n" }
                Descriptors.writeAll(stream == .output ? 1 : 2, text)
            }
            qk_el_refresh(editLine)
        }

        static func displayWidth(_ text: String) -> Int {
            text.unicodeScalars.reduce(0) { $0 + max(0, Int(wcwidth(wchar_t(bitPattern: $1.value)))) }
        }

        // MARK: - History

        func addHistory(_ line: String) {
            var line = line
            while line.last?.isWhitespace == true { line.removeLast() }
            guard let history, !line.isEmpty else { return }
            qk_history_enter(history, &historyEvent, line)
            saveHistory()
        }

        func saveHistory() {
            guard let history, let historyFile else { return }
            HistoryLocation.createParentDirectories(of: historyFile)
            // Not libedit's own fopen: the file is opened through SafeFile (0600, no symbolic link followed, no
            // file of another user reused). A history that cannot be written safely is not written.
            guard let fd = try? SafeFile.openForWriting(historyFile), let stream = fdopen(fd, "w") else { return }
            qk_history_save_fp(history, &historyEvent, stream)
            fclose(stream)
        }
    }
}
