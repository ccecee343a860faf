#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import MonitorShell
import QMP
import QMPTestSupport
import QMPWire
import Synchronization
import Testing

/// Session 6 (issue 14, item 10): `TranscriptWriter.record` ran on the connection's I/O thread and did a blocking
/// `write` under a `Mutex`, so a transcript that did not keep up stalled every call and event of the connection
/// (and held a lock across a system call). Now the observer only formats and queues; a writer thread writes.
@Suite(.timeLimit(.minutes(1))) struct WireLogWriterTests {
    /// A pipe nobody reads yet: its write end becomes the transcript.
    static func pipeEnds() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw TestSupportError("pipe: \(String(cString: strerror(errno)))") }
        return (ends[0], ends[1])
    }

    /// Reads `descriptor` to its end on a thread of its own.
    static func drain(_ descriptor: Int32) -> TextHandOff {
        let result = TextHandOff()
        onThreadOfItsOwn {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                bytes += buffer[0..<count]
            }
            close(descriptor)
            result.finish(String(decoding: bytes, as: UTF8.self))
        }
        return result
    }

    /// Calls `body` on a thread of its own; true when it returned within `limit`.
    static func returns(within limit: DispatchTimeInterval, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        onThreadOfItsOwn {
            body()
            done.signal()
        }
        return done.wait(timeout: .now() + limit) == .success
    }

    static func message(_ index: Int, size: Int) -> JSON {
        ["return": ["index": .int(Int64(index)), "blob": .string(String(repeating: "x", count: size))]]
    }

    @Test func recordingNeverWaitsForTheFileAndEverythingIsWrittenInOrder() throws {
        let (readEnd, writeEnd) = try Self.pipeEnds()
        let transcript = TranscriptWriter(descriptor: writeEnd, path: "pipe")
        // 1 MB through a 64 KiB pipe nobody reads: the old record() blocked in write() at the first message.
        let recorded = Self.returns(within: .seconds(5)) {
            for index in 0..<10 {
                transcript.record(monitor: "m", direction: .received, message: Self.message(index, size: 100_000))
            }
            transcript.record(monitor: "m", direction: .sent, message: ["execute": "set_password", "arguments": ["password": "hunter2"]])
        }
        #expect(recorded, "record() waited for the file")
        let output = Self.drain(readEnd)
        #expect(transcript.close(within: .seconds(20)) == 0)
        let lines = output.wait().split(separator: "\n")
        #expect(lines.count == 11)
        let indexes = lines.compactMap { (try? JSON(parsing: String($0)))?["message"]?["return"]?["index"]?.intValue }
        #expect(indexes == Array(0..<10))
        #expect(lines.last?.contains("<redacted>") == true && !lines.joined().contains("hunter2"))
    }

    @Test func whatTheQueueCannotHoldIsCountedAndSaidWhereItIsMissing() throws {
        let (readEnd, writeEnd) = try Self.pipeEnds()
        let transcript = TranscriptWriter(descriptor: writeEnd, path: "pipe", limits: .init(lines: 4, bytes: 1 << 20))
        // The first message fills the pipe and holds the writer in write(); of the rest, the queue keeps 4.
        let recorded = Self.returns(within: .seconds(5)) {
            for index in 0..<20 {
                transcript.record(monitor: "m", direction: .received, message: Self.message(index, size: index == 0 ? 200_000 : 10))
            }
        }
        #expect(recorded, "record() waited for the file")
        let output = Self.drain(readEnd)
        transcript.record(monitor: "m", direction: .received, message: Self.message(20, size: 10))
        let lost = transcript.close(within: .seconds(20))
        let lines = output.wait().split(separator: "\n").compactMap { try? JSON(parsing: String($0)) }
        let notices = lines.filter { $0["dropped"] != nil }
        let logged = lines.compactMap { $0["message"]?["return"]?["index"]?.intValue }
        #expect(lost > 0 && lost < 20, "lost \(lost)")
        // One notice per gap (two when the writer took the queue while the messages came), adding up to the loss.
        #expect(!notices.isEmpty && notices.reduce(0) { $0 + ($1["dropped"]?.intValue ?? 0) } == lost, "\(notices)")
        for notice in notices {
            let count = notice["dropped"]?.intValue ?? 0
            #expect(notice["note"]?.stringValue == "\(count) wire message\(count == 1 ? "" : "s") not logged: the transcript did not keep up")
        }
        // Nothing is lost silently, and what is logged keeps its order; the notice stands where the gap is.
        #expect(logged.count + lost == 21, "\(logged)")
        #expect(logged == logged.sorted() && logged.first == 0, "\(logged)")
        // A notice stands where its gap is: after what was queued before the drops (the first message at least),
        // and every message logged after it came after the dropped ones.
        let noticeAt = lines.firstIndex { $0["dropped"] != nil } ?? 0
        #expect(noticeAt > 0)
        let before = lines[..<noticeAt].compactMap { $0["message"]?["return"]?["index"]?.intValue }
        let after = lines[noticeAt...].compactMap { $0["message"]?["return"]?["index"]?.intValue }
        if let last = before.last, let next = after.first { #expect(next > last + 1, "the gap is \(last)…\(next)") }
    }

    /// The bounded close: a reader that never reads costs the deadline, not a hang.
    @Test func closingGivesUpAtItsDeadlineAndSaysHowManyWereNotWritten() throws {
        let (readEnd, writeEnd) = try Self.pipeEnds()
        let lines = BackgroundLineWriter(descriptor: writeEnd, ownsDescriptor: true) { "\($0) dropped\n" }
        lines.enqueue(String(repeating: "y", count: 200_000) + "\n")
        for _ in 0..<3 { lines.enqueue("short\n") }
        let clock = ContinuousClock()
        let start = clock.now
        let notWritten = lines.close(within: .milliseconds(300))
        #expect(clock.now - start < .seconds(5))
        #expect(notWritten == 4, "the long line is still being written, three wait behind it")
        #expect(!lines.enqueue("late\n"), "a closed writer takes nothing")
        // Once read, the rest is written after all and the writer closes the pipe.
        let rest = Self.drain(readEnd).wait()
        #expect(rest.hasSuffix("y\nshort\nshort\nshort\n") && !rest.contains("late"))
    }
}

/// A string handed over once from another thread.
final class TextHandOff: Sendable {
    private let value = Mutex<String?>(nil)
    private let ready = DispatchSemaphore(value: 0)
    func finish(_ text: String) {
        value.withLock { $0 = text }
        ready.signal()
    }
    /// Waits for the text (the test's time limit bounds it).
    func wait() -> String {
        ready.wait()
        return value.withLock { $0 ?? "" }
    }
}

/// Runs `body` on a thread that may block.
func onThreadOfItsOwn(_ body: @escaping @Sendable () -> Void) {
    DispatchQueue.global().async(execute: body)
}

/// A transcript on a full disk: the lines the system refuses are counted with the reason, never lost silently.
@Suite struct WireLogWriteFailureTests {
    @Test func linesTheSystemRefusesAreCountedWithTheReason() throws {
        let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(full >= 0, "/dev/full: \(String(cString: strerror(errno)))")
        let transcript = TranscriptWriter(descriptor: full, path: "/dev/full")
        for index in 0..<3 { transcript.record(monitor: "m", direction: .received, message: WireLogWriterTests.message(index, size: 10)) }
        #expect(transcript.close(within: .seconds(20)) == 3)
        #expect(transcript.writeFailure == BackgroundLineWriter.WriteFailure(lines: 3, errno: ENOSPC))
    }
}
