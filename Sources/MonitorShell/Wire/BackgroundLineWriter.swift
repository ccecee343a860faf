#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import QMPWire
import Synchronization

/// Writes lines to a file descriptor on a thread of its own, in the order they were queued, so that whoever queues
/// them never waits for the file: a connection's I/O thread that logs the wire (`-v`, a transcript) keeps serving
/// calls and events while the file, a pipe or a terminal does not keep up.
///
/// - Each line is written with one `write` (more only when the system writes part of it), and only this thread
///   writes, so lines from several monitors never interleave.
/// - No lock is held across the `write`: ``enqueue(_:droppable:)`` takes the lock only to append.
/// - The queue is bounded (``Limits``). A droppable line that does not fit is dropped and counted, never silently:
///   where the gap is, the stream gets the line `notice` makes of the count, and ``close(within:)`` returns the
///   total. A line that is not droppable (a tool's own messages on stderr) is always queued. A line the system
///   refuses to write (a full disk) is counted too (``writeFailure``).
/// - ``close(within:)`` writes what is queued, waiting at most its deadline (a reader that never reads must not
///   keep a tool from exiting), and closes the descriptor if the writer owns it.
///
/// Like `ScriptReportWriter`, it wakes its thread only when there is work; unlike it, it holds ready-made lines
/// (formatting stays with the caller, who knows its own format) and drops instead of waiting when full.
public final class BackgroundLineWriter: Sendable {
    /// How much the queue holds before droppable lines are dropped.
    public struct Limits: Sendable {
        /// Lines waiting at most.
        public var lines: Int
        /// Bytes waiting at most (a single longer line is taken when the queue is empty).
        public var bytes: Int

        /// A limit of `lines` lines and `bytes` bytes.
        public init(lines: Int = 16_384, bytes: Int = 64 << 20) {
            self.lines = lines
            self.bytes = bytes
        }
    }

    private enum Entry: Sendable {
        case line(String)
        case dropped(Int)
    }

    private struct State {
        var queue: [Entry] = []
        var queuedBytes = 0
        /// Droppable lines dropped since the last notice was queued.
        var droppedSinceNotice = 0
        /// Droppable lines dropped in all.
        var droppedInAll = 0
        /// Lines queued and lines written (or given up on after a failed write), to tell what a deadline cut off.
        var queuedLines = 0
        var finishedLines = 0
        /// Lines whose `write` failed, and the first failure's `errno`.
        var failedLines = 0
        var failureErrno: Int32 = 0
        var closing = false
        var idle = false
    }

    /// Lines the system refused to write (a full disk, a closed pipe), and why the first one failed.
    public struct WriteFailure: Sendable, Equatable {
        /// How many lines were not written.
        public var lines: Int
        /// The `errno` of the first failed `write`.
        public var errno: Int32

        /// `lines` lines not written, the first because of `errno`.
        public init(lines: Int, errno: Int32) {
            self.lines = lines
            self.errno = errno
        }
    }

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let limits: Limits
    private let notice: @Sendable (Int) -> String
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    /// Starts a writer thread for `descriptor`, closed by the writer when `ownsDescriptor`. `notice` makes the line
    /// that stands for a number of dropped lines (ending in a newline).
    public init(
        descriptor: Int32, ownsDescriptor: Bool, limits: Limits = Limits(),
        notice: @escaping @Sendable (_ dropped: Int) -> String
    ) {
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
        self.limits = limits
        self.notice = notice
        startDetachedThread { [self] in loop() }
    }

    /// Queues `line` (its newline included). A `droppable` line is dropped and counted when the queue is full, or
    /// after ``close(within:)``; returns whether it was queued.
    @discardableResult
    public func enqueue(_ line: String, droppable: Bool = true) -> Bool {
        let size = line.utf8.count
        let wakeWriter = state.withLock { state -> Bool? in
            if state.closing { return nil }
            if droppable && !state.queue.isEmpty
                && (state.queue.count >= limits.lines || state.queuedBytes + size > limits.bytes)
            {
                state.droppedSinceNotice += 1
                state.droppedInAll += 1
                return nil
            }
            if state.droppedSinceNotice > 0 {
                state.queue.append(.dropped(state.droppedSinceNotice))
                state.droppedSinceNotice = 0
            }
            state.queue.append(.line(line))
            state.queuedBytes += size
            state.queuedLines += 1
            defer { state.idle = false }
            return state.idle
        }
        guard let wakeWriter else { return false }
        if wakeWriter { wake.signal() }
        return true
    }

    /// Writes everything queued, waiting until `deadline` at most, then ends the thread (the descriptor is closed
    /// when the writer owns it; when the deadline passes first, once the last write returns). Later lines are
    /// refused. Returns how many lines were not written: dropped because the queue was full, refused by the system
    /// (``writeFailure``), or still waiting at the deadline. A second call only returns the lines dropped.
    @discardableResult
    public func close(within deadline: Duration) -> Int {
        let wakeWriter = state.withLock { state -> Bool? in
            if state.closing { return nil }
            state.closing = true
            if state.droppedSinceNotice > 0 {
                state.queue.append(.dropped(state.droppedSinceNotice))
                state.droppedSinceNotice = 0
            }
            defer { state.idle = false }
            return state.idle
        }
        guard let wakeWriter else { return dropped }  // closed before
        if wakeWriter { wake.signal() }
        let nanoseconds = deadline.components.seconds * 1_000_000_000 + deadline.components.attoseconds / 1_000_000_000
        let finished = done.wait(timeout: .now() + .nanoseconds(Int(clamping: max(0, nanoseconds)))) == .success
        return state.withLock { state in
            state.droppedInAll + state.failedLines + (finished ? 0 : state.queuedLines - state.finishedLines)
        }
    }

    /// Lines dropped so far because the queue was full.
    public var dropped: Int { state.withLock { $0.droppedInAll } }

    /// Lines whose `write` failed so far; `nil` when none did.
    public var writeFailure: WriteFailure? {
        state.withLock { $0.failedLines == 0 ? nil : WriteFailure(lines: $0.failedLines, errno: $0.failureErrno) }
    }

    private func loop() {
        while true {
            let next = state.withLock { state -> (entries: [Entry], closing: Bool)? in
                if state.queue.isEmpty && !state.closing {
                    state.idle = true
                    return nil
                }
                defer {
                    state.queue.removeAll(keepingCapacity: true)
                    state.queuedBytes = 0
                }
                return (state.queue, state.closing)
            }
            guard let next else {
                wake.wait()
                continue
            }
            for entry in next.entries {
                switch entry {
                case .line(let line):
                    let written = writeAll(descriptor, line)
                    let failure = written ? 0 : errno
                    state.withLock { state in
                        state.finishedLines += 1
                        if !written {
                            state.failedLines += 1
                            if state.failureErrno == 0 { state.failureErrno = failure == 0 ? EIO : failure }
                        }
                    }
                case .dropped(let count):
                    writeAll(descriptor, notice(count))
                }
            }
            if next.closing && state.withLock({ $0.queue.isEmpty }) {
                if ownsDescriptor { closeDescriptor(descriptor) }
                done.signal()
                return
            }
        }
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}
