#if canImport(Glibc)
import Glibc
#endif
import CLibEdit
import Synchronization

/// Line editing on a terminal with libedit: emacs keys, history (kept in a file), incremental search (Ctrl-R),
/// completion on Tab, UTF-8 input, resizing.
///
/// - Ctrl-C discards the line and reads a new one (``LineEditorResult/interrupted``); it never ends the process
///   while the editor exists. Ctrl-D on an empty line is the end of input.
/// - ``write(_:to:)`` from any thread while a line is being edited prints above the prompt and redraws the
///   half-typed line below, also when it wraps over several rows.
/// - Waiting for a key takes no CPU: the editor `poll`s standard input together with a pipe that signal handlers,
///   ``write(_:to:)`` and ``wake()`` write to.
///
/// Only one editor may exist per process (it owns SIGINT, SIGWINCH and SIGCONT). libedit is called from one
/// thread of the editor's own; the async API hands work to it.
public final class LibEditLineEditor: LineEditor {
    /// Whether standard input and output are terminals (otherwise libedit does no editing: use ``PlainLineEditor``).
    public static var canEdit: Bool { isatty(0) == 1 && isatty(1) == 1 }

    let shared: SharedState
    private let thread: EditorThread
    private let core: Core

    /// An editor on the standard streams, with history loaded from and saved to `historyFile` (when given;
    /// its folder is created when missing).
    public init(historyFile: String?, program: String = "qmpsh") {
        Self.setUTF8Locale()
        guard let wake = Descriptors.makePipe() else { fatalError("cannot create a pipe for the line editor") }
        shared = SharedState(wakePipe: wake)
        let core = Core(program: program, historyFile: historyFile, shared: shared)
        self.core = core
        // Between lines the editor thread also watches the wake pipe: Ctrl-C then interrupts a running command.
        thread = EditorThread(idleDescriptor: wake.read) { core.handleIdleWakeUp() }
        thread.submit { core.setUp() }
    }

    /// Swift never calls `setlocale`; without it libedit drops non-ASCII input. Use the environment's locale,
    /// or C.UTF-8 when that is not UTF-8.
    static func setUTF8Locale() {
        setlocale(LC_CTYPE, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        if codeset != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
    }

    /// Always true: this editor is only made for terminals (see ``canEdit``).
    public var isInteractive: Bool { true }

    /// Reads one edited line on the editor's thread; Ctrl-C gives ``LineEditorResult/interrupted``, Ctrl-D on an
    /// empty line ``LineEditorResult/endOfInput``.
    public func readLine(prompt: String) async -> LineEditorResult {
        await withCheckedContinuation { continuation in
            thread.submit { [core] in continuation.resume(returning: core.getLine(prompt: prompt)) }
        }
    }

    /// Prints `text` on the stream; during a read it goes above the prompt and the typed line is redrawn.
    /// Safe from any thread.
    public func write(_ text: String, to stream: LineEditorStream) {
        shared.write(text, to: stream)
    }

    /// Adds `line` (trailing blanks removed; blank lines are ignored) to the history on the editor's thread, and
    /// rewrites the history file at once (0600, no symbolic link followed).
    public func addHistory(_ line: String) {
        thread.submit { [core] in core.addHistory(line) }
    }

    /// Sets what Tab calls with the text before the cursor; `nil` turns completion off. Safe from any thread.
    public func setCompleter(_ completer: LineCompleter?) {
        shared.state.withLock { $0.completer = completer }
    }

    /// Returns on a Ctrl-C typed while no line is read, or when the waiting task is cancelled.
    public func waitForInterrupt() async {
        await shared.commandInterrupts.wait()
    }

    /// Ends a pending read with ``LineEditorResult/woken`` (or the next one, if none is pending). Safe from any
    /// thread: it sets a flag and writes one byte to the editor's wake pipe.
    public func wake() {
        shared.state.withLock { $0.woken = true }
        Descriptors.wakeUp(shared.wakePipe.write)
    }

    /// Saves the history, restores the terminal and the signal handlers, and stops the editor's thread. Calling
    /// it again does nothing.
    public func close() {
        let alreadyClosed = shared.state.withLock { state in
            defer { state.closing = true }
            return state.closing
        }
        guard !alreadyClosed else { return }
        Descriptors.wakeUp(shared.wakePipe.write)
        thread.runAndWait { [core] in core.tearDown() }
        thread.stop()
    }

    // MARK: - State shared between threads

    /// What other threads hand to the editor thread.
    final class SharedState: Sendable {
        struct State {
            /// True while the editor thread is inside `el_gets` (output must then go above the prompt).
            var reading = false
            var pending: [(String, LineEditorStream)] = []
            var woken = false
            var closing = false
            var completer: LineCompleter?
        }

        let state = Mutex(State())
        let wakePipe: (read: Int32, write: Int32)
        /// Ctrl-C while no line is read; a press with nobody waiting is dropped.
        let commandInterrupts = InterruptSignal(sticky: false)

        init(wakePipe: (read: Int32, write: Int32)) {
            self.wakePipe = wakePipe
        }

        func write(_ text: String, to stream: LineEditorStream) {
            state.withLock { state in
                if state.reading {
                    state.pending.append((text, stream))
                    Descriptors.wakeUp(wakePipe.write)
                } else {
                    // Written under the lock, so it cannot interleave with the editor starting to read.
                    Descriptors.writeAll(stream == .output ? 1 : 2, text)
                }
            }
        }
    }
}
