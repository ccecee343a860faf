public import QMP
import Synchronization

/// A client for QEMU's human monitor on its own socket: `-monitor unix:PATH,server=on,wait=off`.
///
/// Reads the banner, sends one line per command, strips QEMU's echo and escape sequences, and returns each reply
/// framed on the `(qemu) ` prompt — the same text `human-monitor-command` returns. Commands may be sent from many
/// tasks; replies come back in order. When the socket goes away every pending command fails at once with
/// `QMPConnectionError`.
///
/// ```swift
/// let monitor = try await HMPSocketClient.connect(to: .unix(path: "/tmp/hmp.sock"))
/// print(try await monitor.run("info status", timeout: .seconds(5)))   // VM status: running\r\n
/// await monitor.close()
/// ```
public final class HMPSocketClient: HumanMonitor {
    private final class Pending: Sendable {
        let command: String
        let continuation = Mutex<UnsafeContinuation<String, any Error>?>(nil)
        init(command: String) { self.command = command }

        func take() -> UnsafeContinuation<String, any Error>? {
            continuation.withLock { value in
                defer { value = nil }
                return value
            }
        }
    }

    private struct State {
        var pending: [Pending] = []
        var banner: String?
        var bannerWaiter: UnsafeContinuation<String, any Error>?
        var bannerFailure: (any Error)?
        var closedError: QMPConnectionError?
        var closing = false
        var finished = false
        var finishWaiters: [UnsafeContinuation<Void, Never>] = []
    }

    private let connection: SocketConnection
    private let state = Mutex(State())
    private let sendLock = Mutex(())

    /// The banner QEMU printed on connect, e.g. `QEMU 7.2.22 monitor - type 'help' for more information`.
    public var banner: String { state.withLock { $0.banner ?? "" } }

    private init(connection: SocketConnection) {
        self.connection = connection
    }

    /// Connects and waits for the banner. A monitor held by another client prints none: that is a
    /// `QMPConnectionError` with code `noGreeting` after `bannerTimeout`. The connect itself is bounded by
    /// `bannerTimeout` too (a full listen backlog accepts nothing: `timedOut`).
    public static func connect(to address: MonitorAddress, bannerTimeout: Duration = .seconds(10)) async throws
        -> HMPSocketClient
    {
        let client = HMPSocketClient(connection: try await SocketConnection.connect(to: address, timeout: bannerTimeout))
        startThread { [client] in client.readLoop() }
        do {
            _ = try await client.waitForBanner(timeout: bannerTimeout)
            return client
        } catch {
            await client.close()
            throw error
        }
    }

    private func waitForBanner(timeout: Duration) async throws -> String {
        let timer = DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
            self?.failBanner(QMPConnectionError(
                .noGreeting,
                "no HMP banner within \(timeout): another client may hold the monitor, or this is not an HMP socket"))
        }
        defer { DeadlineScheduler.shared.cancel(timer) }
        return try await withUnsafeThrowingContinuation { continuation in
            let immediate = state.withLock { state -> Result<String, any Error>? in
                if let banner = state.banner { return .success(banner) }
                if let error = state.bannerFailure ?? state.closedError { return .failure(error) }
                state.bannerWaiter = continuation
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    private func failBanner(_ error: any Error) {
        let waiter = state.withLock { state -> UnsafeContinuation<String, any Error>? in
            if state.banner == nil && state.bannerFailure == nil { state.bannerFailure = error }
            defer { state.bannerWaiter = nil }
            return state.bannerWaiter
        }
        waiter?.resume(throwing: error)
    }

    // MARK: - Commands

    /// Runs one command line; see ``HumanMonitor/run(_:timeout:)``. The line must not contain a line break.
    public func run(_ commandLine: String, timeout: Duration? = nil) async throws -> String {
        guard !commandLine.contains(where: \.isNewline) else {
            throw QMPUsageError("an HMP command line cannot contain a line break")
        }
        guard !commandLine.allSatisfy(\.isWhitespace) else { throw QMPUsageError("empty HMP command") }
        let pending = Pending(command: commandLine)
        let timer = timeout.map { timeout in
            DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
                _ = self
                pending.take()?.resume(throwing: QMPTimeoutError(operation: "HMP '\(commandLine)'", timeout: timeout))
            }
        }
        defer { timer.map(DeadlineScheduler.shared.cancel) }
        let output = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<String, any Error>) in
                pending.continuation.withLock { $0 = continuation }
                sendLock.withLock { _ in
                    let closed = state.withLock { state -> QMPConnectionError? in
                        if let error = state.closedError { return error }
                        state.pending.append(pending)
                        return nil
                    }
                    if let closed {
                        pending.take()?.resume(throwing: closed)
                        return
                    }
                    do {
                        try connection.send(Array((commandLine + "\n").utf8))
                    } catch {
                        connectionLost(error as? QMPConnectionError ?? QMPConnectionError(.ioError, "\(error)"))
                        connection.shutdown()
                    }
                }
                if Task.isCancelled { pending.take()?.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            pending.take()?.resume(throwing: CancellationError())
        }
        return try HMPFailureDetector.check(output, command: commandLine)
    }

    // MARK: - Reading

    private func readLoop() {
        var framer = HMPStreamFramer()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer {
            buffer.deallocate()
            finishReading()
        }
        while true {
            let count: Int
            do {
                count = try connection.receive(into: buffer)
            } catch {
                connectionLost(error)
                return
            }
            guard count > 0 else {
                connectionLost(QMPConnectionError(.closedByPeer, "the monitor closed the connection"))
                return
            }
            framer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            while let item = framer.next() {
                switch item {
                case .banner(let text):
                    let banner = text.trimmingTrailingNewlines
                    let waiter = state.withLock { state -> UnsafeContinuation<String, any Error>? in
                        state.banner = banner
                        defer { state.bannerWaiter = nil }
                        return state.bannerWaiter
                    }
                    waiter?.resume(returning: banner)
                case .reply(let text):
                    // Replies come in the order the commands were sent; one whose caller gave up is dropped.
                    let pending = state.withLock { state in state.pending.isEmpty ? nil : state.pending.removeFirst() }
                    pending?.take()?.resume(returning: text)
                }
            }
        }
    }

    private func connectionLost(_ error: QMPConnectionError) {
        let (pending, bannerWaiter, finalError) = state.withLock { state in
            if state.closedError == nil {
                state.closedError = state.closing
                    ? QMPConnectionError(.closedByClient, "the connection was closed by this client") : error
            }
            defer {
                state.pending.removeAll()
                state.bannerWaiter = nil
            }
            return (state.pending, state.bannerWaiter, state.closedError!)
        }
        for call in pending { call.take()?.resume(throwing: finalError) }
        bannerWaiter?.resume(throwing: finalError)
    }

    private func finishReading() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.finishWaiters.removeAll() }
            return state.finishWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Closes the connection; pending commands fail with code `closedByClient`. Returns once the socket is released.
    public func close() async {
        state.withLock { $0.closing = true }
        connection.shutdown()
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.finished { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = Substring(self)
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text.removeLast() }
        return String(text)
    }
}
