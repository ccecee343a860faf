#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import QMP
import QMPWire
import Synchronization

/// A guest's serial console: what it prints is kept in memory for matching (QEMU also copies all of it to ``logPath``),
/// ``expect(_:timeout:skippingEcho:)`` waits for text or a pattern, ``send(_:)`` types into it, ``stream()`` follows it
/// live.
///
/// Memory stays bounded however long the guest runs: text after the cursor is kept until an `expect` consumes it,
/// and of the text before the cursor only the last ``retainedBytes`` are kept (the log file has everything).
///
/// Matching uses a cursor: each successful `expect` moves it past the match, and the next one looks only at what
/// came after — including text that arrived before the call, so there is no race between sending a command and
/// waiting for its answer.
public final class SerialConsole: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        /// Bytes before `bytes[0]` that were printed and released.
        var released = 0
        var cursor = 0
        var waiters: [Waiter] = []
        var closed = false
        var listeners: [AsyncStream<String>.Continuation] = []
    }

    private final class Waiter: Sendable {
        let matcher: @Sendable (String) -> Range<String.Index>?
        let continuation = Mutex<UnsafeContinuation<String, any Error>?>(nil)
        init(_ matcher: @escaping @Sendable (String) -> Range<String.Index>?) { self.matcher = matcher }

        func take() -> UnsafeContinuation<String, any Error>? {
            continuation.withLock { value in
                defer { value = nil }
                return value
            }
        }
    }

    private let connection: SocketConnection
    private let state = Mutex(State())
    /// The file QEMU copies the console to.
    public let logPath: String

    /// A console read from `connection` (e.g. a serial port socket another program set up); `logPath` is informational.
    package init(connection: SocketConnection, logPath: String) {
        self.connection = connection
        self.logPath = logPath
        startThread { [self] in readLoop() }
    }

    /// The console's output from now on, chunk by chunk, until QEMU exits.
    public func stream() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let closed = state.withLock { state in
            if !state.closed { state.listeners.append(continuation) }
            return state.closed
        }
        if closed { continuation.finish() }
        return stream
    }

    /// How much already-matched output (before the cursor) is kept in memory.
    public static let retainedBytes = 64 << 10

    /// The output still held in memory: everything after the cursor, and up to ``retainedBytes`` before it. The
    /// whole console is in ``logPath``.
    public var output: String { state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }

    /// Bytes the console printed so far (including those no longer held in memory).
    public var byteCount: Int { state.withLock { $0.released + $0.bytes.count } }

    /// Types `text` into the console (add `\n` to run a command).
    public func send(_ text: String) throws {
        try connection.send(Array(text.utf8))
    }

    /// Sends raw bytes (keystrokes from a terminal in raw mode).
    public func send(bytes: [UInt8]) throws {
        try connection.send(bytes)
    }

    /// The console's output from now on as bytes (for a terminal), until QEMU exits.
    public func byteStream() -> AsyncStream<[UInt8]> {
        let text = stream()
        return AsyncStream { continuation in
            let task = Task {
                for await chunk in text { continuation.yield(Array(chunk.utf8)) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Waits for `text` after the cursor; returns the output from the cursor to the end of the match.
    ///
    /// With `skippingEcho` (the text just sent), a match inside the guest's echo of that text's first line does
    /// not count: only what follows the echo does (a guest without echo is matched as usual).
    @discardableResult
    public func expect(_ text: String, timeout: Duration, skippingEcho echo: String? = nil) async throws -> String {
        try await wait(for: "'\(text)'", timeout: timeout, Self.skipping(echo) { $0.firstRange(of: text) })
    }

    /// Waits for a match of the regular expression `pattern` after the cursor (`skippingEcho` as for
    /// ``expect(_:timeout:skippingEcho:)``).
    ///
    /// The matcher takes time linear in the console text whatever the pattern (`LinearRegex` in QMPWire: no
    /// back-references or look-around), so a guest's output cannot make it backtrack for ever. A pattern it cannot
    /// compile is a ``RunnerError`` (`invalidConfiguration`), before waiting.
    @discardableResult
    public func expect(regex pattern: String, timeout: Duration, skippingEcho echo: String? = nil) async throws -> String {
        let regex: LinearRegex
        do { regex = try LinearRegex(pattern) } catch {
            throw RunnerError(.invalidConfiguration, "invalid regular expression: \(error)")
        }
        return try await wait(for: "/\(pattern)/", timeout: timeout, Self.skipping(echo) { text in regex.firstMatch(in: text) })
    }

    /// A matcher that looks only after the echo of `sent`'s first line, when that echo is there.
    static func skipping(
        _ sent: String?, _ matcher: @escaping @Sendable (String) -> Range<String.Index>?
    ) -> @Sendable (String) -> Range<String.Index>? {
        guard let line = sent?.split(whereSeparator: \.isNewline).first.map(String.init), !line.isEmpty else { return matcher }
        return { text in
            guard let echo = text.firstRange(of: line) else { return matcher(text) }
            let rest = String(text[echo.upperBound...])
            guard let found = matcher(rest) else { return nil }
            let offset = text.distance(from: text.startIndex, to: echo.upperBound)
            let lower = text.index(text.startIndex, offsetBy: offset + rest.distance(from: rest.startIndex, to: found.lowerBound))
            let upper = text.index(lower, offsetBy: rest.distance(from: found.lowerBound, to: found.upperBound))
            return lower..<upper
        }
    }

    /// The last `count` lines the console printed (from what is held in memory), without their line ends.
    public func lastLines(_ count: Int) -> [String] {
        let text = state.withLock { String(decoding: $0.bytes.suffix(16 << 10), as: UTF8.self) }
        // "\r\n" is one Character (a newline) in Swift; a lone "\r" counts as a line end too.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        var trimmed = lines[...]
        while trimmed.last?.isEmpty == true { trimmed.removeLast() }
        return Array(trimmed.suffix(count))
    }

    /// Waits until the console has printed anything at all (progress), without moving the cursor.
    public func waitForOutput(timeout: Duration) async throws {
        let done = state.withLock { $0.released + $0.bytes.count > 0 }
        if done { return }
        _ = try await wait(for: "any console output", timeout: timeout, consume: false) { $0.isEmpty ? nil : $0.startIndex..<$0.startIndex }
    }

    private func wait(
        for what: String, timeout: Duration, consume: Bool = true,
        _ matcher: @escaping @Sendable (String) -> Range<String.Index>?
    ) async throws -> String {
        let waiter = Waiter { text in matcher(text) }
        let timer = DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
            self?.remove(waiter)
            waiter.take()?.resume(throwing: RunnerError(.timedOut, "no \(what) on the serial console within \(timeout)"))
        }
        defer { DeadlineScheduler.shared.cancel(timer) }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<String, any Error>) in
                waiter.continuation.withLock { $0 = continuation }
                let immediate = state.withLock { state -> Result<String, any Error>? in
                    if let found = Self.match(waiter, in: &state, consume: consume) { return .success(found) }
                    if state.closed { return .failure(RunnerError(.qemuExited, "the serial console closed (QEMU exited) before \(what)")) }
                    state.waiters.append(waiter)
                    return nil
                }
                if let immediate { waiter.take()?.resume(with: immediate) }
                // Cancelled before the handler could see the continuation: finish here.
                if Task.isCancelled {
                    remove(waiter)
                    waiter.take()?.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            waiter.take()?.resume(throwing: CancellationError())
        }
    }

    private func remove(_ waiter: Waiter) {
        state.withLock { $0.waiters.removeAll { $0 === waiter } }
    }

    /// Matches after the cursor; on success moves the cursor past the match (when `consume`).
    private static func match(_ waiter: Waiter, in state: inout State, consume: Bool) -> String? {
        let text = String(decoding: state.bytes[state.cursor...], as: UTF8.self)
        guard let range = waiter.matcher(text) else { return nil }
        let found = String(text[..<range.upperBound])
        if consume {
            state.cursor += found.utf8.count
            // Release matched text beyond the retained amount (in steps of a quarter, so the copy is rare).
            if state.cursor > retainedBytes + retainedBytes / 4 {
                let release = state.cursor - retainedBytes
                state.bytes.removeSubrange(0..<release)
                state.released += release
                state.cursor -= release
            }
        }
        return found
    }

    private func readLoop() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = (try? connection.receive(into: buffer)) ?? 0
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            let text = String(decoding: chunk, as: UTF8.self)
            let resumed = state.withLock { state -> [(Waiter, String)] in
                state.bytes.append(contentsOf: chunk)
                for listener in state.listeners { listener.yield(text) }
                var resumed: [(Waiter, String)] = []
                var remaining: [Waiter] = []
                for waiter in state.waiters {
                    if let found = Self.match(waiter, in: &state, consume: true) {
                        resumed.append((waiter, found))
                    } else {
                        remaining.append(waiter)
                    }
                }
                state.waiters = remaining
                return resumed
            }
            for (waiter, found) in resumed { waiter.take()?.resume(returning: found) }
        }
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            for listener in state.listeners { listener.finish() }
            state.listeners.removeAll()
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.take()?.resume(throwing: RunnerError(.qemuExited, "the serial console closed (QEMU exited)"))
        }
    }

    /// Stops reading (the reader sees end of stream).
    func close() { connection.shutdown() }
}
