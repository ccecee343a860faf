#if canImport(Glibc)
import Glibc
#endif
import LineEditing
import Testing

/// The piped line reader rescanned its whole buffer on every read: a 16 MiB line took 15.4 s (issue 20).
@Suite(.timeLimit(.minutes(1))) struct PlainLineEditorLinearTests {
    @Test func aSixteenMebibyteLineIsReadInLinearTime() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let size = 16 << 20
        // Blocking writes on a pool thread: the reader under test runs on a thread of its own.
        let writer = Task.detached {
            var line = [UInt8](repeating: UInt8(ascii: "x"), count: size)
            line += Array("\nsecond\r\nthird".utf8)
            var offset = 0
            while offset < line.count {
                let written = line[offset...].withUnsafeBytes { write(writeEnd, $0.baseAddress!, min($0.count, 4096)) }
                if written <= 0 { break }
                offset += written
            }
            close(writeEnd)
        }
        let editor = PlainLineEditor(input: readEnd, output: -1, error: -1)
        let clock = ContinuousClock()
        let start = clock.now
        let first = await editor.readLine(prompt: "")
        let elapsed = clock.now - start
        guard case .line(let text) = first else { Issue.record("\(first)"); return }
        #expect(text.utf8.count == size)
        #expect(await editor.readLine(prompt: "") == .line("second"))
        #expect(await editor.readLine(prompt: "") == .line("third"))
        #expect(await editor.readLine(prompt: "") == .endOfInput)
        #expect(elapsed < .seconds(5), "16 MiB line in \(elapsed)")
        print("figure: 16 MiB piped line read in \(elapsed) (4 KiB writes)")
        await writer.value
        close(readEnd)
    }
}
