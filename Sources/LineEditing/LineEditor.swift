/// What one call to ``LineEditor/readLine(prompt:)`` gave.
public enum LineEditorResult: Sendable, Equatable {
    /// A line as typed, without its line break.
    case line(String)
    /// Ctrl-C: the typed text was discarded; the caller shows a fresh prompt.
    case interrupted
    /// Ctrl-D on an empty line, or the end of piped input.
    case endOfInput
    /// ``LineEditor/wake()`` was called (for example because the monitor went away); the caller checks why.
    case woken
}

/// Where ``LineEditor/write(_:to:)`` sends text.
public enum LineEditorStream: Sendable, Hashable {
    /// Standard output (or what the editor was given instead).
    case output
    /// Standard error (or what the editor was given instead).
    case error
}

/// The candidates for the word before the cursor, as a completer gives them to a line editor.
///
/// Each candidate replaces ``word`` as a whole. A candidate that ends with `=`, `.` or `/` is a prefix to type on
/// from, so no space is added after it; after any other single candidate a space is added.
public struct LineCompletion: Sendable, Hashable {
    /// The end of the text before the cursor that a candidate replaces (empty after a space).
    public var word: String
    /// The replacements, in the order to list them.
    public var candidates: [String]

    /// Candidates that replace `word`, the end of the text before the cursor.
    public init(word: String, candidates: [String]) {
        self.word = word
        self.candidates = candidates
    }
}

/// Completes the text before the cursor. It may take time (it can ask the monitor for live values).
public typealias LineCompleter = @Sendable (_ lineBeforeCursor: String) async -> LineCompletion

/// Reads lines from a user, with or without editing, and prints text without disturbing a line being typed.
///
/// ``LibEditLineEditor`` edits lines on a terminal (emacs keys, history, search, completion on Tab);
/// ``PlainLineEditor`` reads pipes and here-documents; ``ScriptedLineEditor`` drives a REPL from tests.
/// ``LineEditors/makeStandard(historyFile:)`` picks the first when standard input and output are terminals, else the
/// second.
///
/// ```swift
/// let editor = LineEditors.makeStandard(historyFile: path)
/// defer { editor.close() }
/// while case .line(let text) = await editor.readLine(prompt: "> ") {
///     editor.addHistory(text)
///     editor.write("you typed \(text)\n", to: .output)
/// }
/// ```
public protocol LineEditor: AnyObject, Sendable {
    /// True when lines are edited on a terminal (prompts shown, completion and history available).
    var isInteractive: Bool { get }

    /// Reads one line, showing `prompt`. Only one read may be pending at a time.
    func readLine(prompt: String) async -> LineEditorResult

    /// Prints `text`. While a line is being read it appears above the prompt and the half-typed line is redrawn
    /// below it, intact. Callable from any thread.
    func write(_ text: String, to stream: LineEditorStream)

    /// Adds a line to the history (and to the history file, when there is one). Blank lines are ignored.
    func addHistory(_ line: String)

    /// Sets what Tab completes with; `nil` turns completion off.
    func setCompleter(_ completer: LineCompleter?)

    /// Returns when the user presses Ctrl-C while no line is being read (a command is running), so the caller can
    /// stop waiting for it; returns at once when the waiting task is cancelled. Editors without a person at the
    /// keyboard return only on cancellation.
    func waitForInterrupt() async

    /// Makes a pending ``readLine(prompt:)`` return ``LineEditorResult/woken``; without one, the next read
    /// returns it at once. Callable from any thread.
    func wake()

    /// Saves the history and gives the terminal back. The editor cannot be used afterwards.
    func close()
}

/// Choosing a line editor for the process's standard streams.
public enum LineEditors {
    /// ``LibEditLineEditor`` when standard input and output are terminals, else ``PlainLineEditor`` (no prompt,
    /// no editing, for pipes and here-documents).
    public static func makeStandard(historyFile: String?) -> any LineEditor {
        if LibEditLineEditor.canEdit {
            return LibEditLineEditor(historyFile: historyFile)
        }
        return PlainLineEditor()
    }
}
