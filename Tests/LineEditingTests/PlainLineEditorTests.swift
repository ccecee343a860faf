#if canImport(Glibc)
import Glibc
#endif
import Testing
import LineEditing

/// The reader for pipes and here-documents, fed through a real pipe.
@Suite(.timeLimit(.minutes(1))) struct PlainLineEditorTests {
    final class Pipe: Sendable {
        let read: Int32
        let write: Int32
        init() {
            var ends: [Int32] = [-1, -1]
            precondition(pipe(&ends) == 0)
            read = ends[0]
            write = ends[1]
        }
        func send(_ text: String) {
            var text = text
            text.withUTF8 { _ = Glibc.write(write, $0.baseAddress, $0.count) }
        }
        func closeWriter() { close(write) }
        deinit { close(read) }
    }

    @Test func readsLinesThenTheEnd() async {
        let input = Pipe()
        let editor = PlainLineEditor(input: input.read)
        input.send("query-status\r\ndevice_del id=vd1\nlast line without break")
        input.closeWriter()
        #expect(await editor.readLine(prompt: "> ") == .line("query-status"))
        #expect(await editor.readLine(prompt: "> ") == .line("device_del id=vd1"))
        #expect(await editor.readLine(prompt: "> ") == .line("last line without break"))
        #expect(await editor.readLine(prompt: "> ") == .endOfInput)
        #expect(!editor.isInteractive)
    }

    @Test func aLineSplitAcrossWritesIsReadWhole() async {
        let input = Pipe()
        let editor = PlainLineEditor(input: input.read)
        let reading = Task { await editor.readLine(prompt: "") }
        input.send("query-")
        input.send("status\n")
        #expect(await reading.value == .line("query-status"))
        input.closeWriter()
    }

    @Test func wakeEndsAPendingRead() async {
        let input = Pipe()
        let editor = PlainLineEditor(input: input.read)
        let reading = Task { await editor.readLine(prompt: "") }
        editor.wake()
        #expect(await reading.value == .woken)
        // Nothing was lost: the next line still arrives.
        input.send("next\n")
        #expect(await editor.readLine(prompt: "") == .line("next"))
        input.closeWriter()
    }
}

/// The editor tests use to drive a REPL.
@Suite(.timeLimit(.minutes(1))) struct ScriptedLineEditorTests {
    @Test func givesLinesInterruptsAndTheEnd() async {
        let editor = ScriptedLineEditor(lines: ["a"])
        #expect(await editor.readLine(prompt: "1> ") == .line("a"))
        let pending = Task { await editor.readLine(prompt: "2> ") }
        editor.interrupt()
        #expect(await pending.value == .interrupted)
        editor.type("b")
        editor.finish()
        #expect(await editor.readLine(prompt: "3> ") == .line("b"))
        #expect(await editor.readLine(prompt: "4> ") == .endOfInput)
        #expect(editor.prompts == ["1> ", "2> ", "3> ", "4> "])
    }

    @Test func waitsForOutputAndRunsTheCompleter() async {
        let editor = ScriptedLineEditor()
        editor.setCompleter { line in LineCompletion(word: line, candidates: [line + "x"]) }
        #expect(await editor.complete("ab") == LineCompletion(word: "ab", candidates: ["abx"]))
        let waiting = Task { await editor.waitForOutput(containing: "hello", timeout: .seconds(5)) }
        editor.write("hello world\n", to: .output)
        #expect(await waiting.value)
        #expect(await editor.waitForOutput(containing: "never", timeout: .milliseconds(50)) == false)
        editor.wake()
        #expect(await editor.readLine(prompt: "") == .woken)
    }
}
