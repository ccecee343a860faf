#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QMP
import Synchronization

/// The read end of a pipe a child writes to (QEMU's standard error): every line goes to a handler as it comes and
/// everything is copied to a file (mode 0600), read later for error messages.
final class LineReader: Sendable {
    /// The end the child gets.
    let writeEnd: Int32
    private let readEnd: Int32
    private let state = Mutex<(done: Bool, waiters: [@Sendable () -> Void])>((false, []))
    private let writeEndOpen = Atomic<Bool>(true)

    init(copyingTo path: String, handler: (@Sendable (String) -> Void)?) throws(RunnerError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw RunnerError(.io, "pipe(): \(String(cString: strerror(errno)))")
        }
        // Close-on-exec on both ends: only the child's dup2'd copy (fd 2) survives into programs started later.
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        readEnd = ends[0]
        writeEnd = ends[1]
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        let readEnd = readEnd
        startThread { [self] in
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(readEnd, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                if file >= 0 { _ = chunk.withUnsafeBytes { write(file, $0.baseAddress, count) } }
                pending += chunk[0..<count]
                while let newline = pending.firstIndex(of: 10) {
                    handler?(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { handler?(String(decoding: pending, as: UTF8.self)) }
            if file >= 0 { close(file) }
            close(readEnd)
            let waiters = state.withLock { state in
                state.done = true
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter() }
        }
    }

    /// Closes this process's copy of the write end (once the child has its own), so the reader sees the end.
    func closeWriteEnd() {
        if writeEndOpen.exchange(false, ordering: .relaxed) { close(writeEnd) }
    }

    /// Waits until the child's end closed and every line was handled, or `timeout` passed.
    func finished(timeout: Duration) async {
        let slot = Mutex<UnsafeContinuation<Void, Never>?>(nil)
        let resumeOnce: @Sendable () -> Void = {
            let continuation = slot.withLock { value in
                defer { value = nil }
                return value
            }
            continuation?.resume()
        }
        let timer = DeadlineScheduler.shared.schedule(after: timeout, resumeOnce)
        defer { DeadlineScheduler.shared.cancel(timer) }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            slot.withLock { $0 = continuation }
            let done = state.withLock { state in
                if !state.done { state.waiters.append(resumeOnce) }
                return state.done
            }
            if done { resumeOnce() }
        }
    }
}
