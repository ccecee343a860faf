public import QMP
import QMPWire
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
public final class HMPSocketClient: HumanMonitor, ByteStreamClient {
    /// A command waiting for its reply.
    ///
    /// `@unchecked Sendable`: `ticket` is read and written only under the client's state lock, and the continuation
    /// has a lock of its own.
    private final class Pending: @unchecked Sendable {
        let command: String
        let continuation = Mutex<UnsafeContinuation<String, any Error>?>(nil)
        /// Its request's place in the write queue (withdrawn unsent when the caller gives up first).
        var ticket: UInt64?
        init(command: String) { self.command = command }

        func take() -> UnsafeContinuation<String, any Error>? {
            continuation.withLock { value in
                defer { value = nil }
                return value
            }
        }
    }

    private struct State {
        /// Commands queued or sent, in wire order (HMP answers in order and has no ids).
        var pending = PendingCalls<Pending>()
        var outbound: OutboundQueue
        var framer = HMPStreamFramer()
        var banner: String?
        var bannerWaiter: UnsafeContinuation<String, any Error>?
        var bannerFailure: (any Error)?
        var lifecycle = ConnectionLifecycle()
    }

    private let transport: SocketTransport
    private let state: Mutex<State>
    package let finish = FinishSignal()

    /// The banner QEMU printed on connect, e.g. `QEMU 7.2.22 monitor - type 'help' for more information`.
    public var banner: String { state.withLock { $0.banner ?? "" } }

    private init(transport: SocketTransport, maximumQueuedBytes: Int) {
        self.transport = transport
        self.state = Mutex(State(outbound: OutboundQueue(limit: maximumQueuedBytes)))
    }

    /// Connects and waits for the banner. A monitor held by another client prints none: that is a
    /// `QMPConnectionError` with code `noGreeting` after `bannerTimeout`. The connect itself is bounded by
    /// `bannerTimeout` too (a full listen backlog accepts nothing: `timedOut`).
    ///
    /// `busyTimeout`, when shorter, bounds both the connect to a Unix socket and the wait for the banner, as
    /// `QMPClient.Configuration.busyTimeout` does for QMP: QEMU prints the banner at once unless another client
    /// holds the monitor, so a short limit (the CLI uses 2 s) reports a held or stopped monitor quickly. A TCP
    /// connect keeps `bannerTimeout` (a remote peer may be slow to reach).
    ///
    /// Sends never block a caller's thread: a command the socket does not take at once waits in a queue of at most
    /// `maximumQueuedBytes` (flushed by the client's I/O thread), and one still queued when its caller gives up is
    /// withdrawn unsent.
    public static func connect(
        to address: MonitorAddress, bannerTimeout: Duration = .seconds(10), busyTimeout: Duration? = nil,
        maximumQueuedBytes: Int = 16 << 20
    ) async throws -> HMPSocketClient {
        let busy = busyTimeout.map { min($0, bannerTimeout) } ?? bannerTimeout
        let connectLimit: Duration = if case .unix = address { busy } else { bannerTimeout }
        let transport = try await SocketTransport.connect(to: address, timeout: connectLimit, framing: .bytes)
        let client = HMPSocketClient(transport: transport, maximumQueuedBytes: maximumQueuedBytes)
        transport.start(ByteStreamReceiver(client))
        do {
            _ = try await client.waitForBanner(timeout: busy)
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
                if let error = state.bannerFailure ?? state.lifecycle.closedError { return .failure(error) }
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
    /// `timeout` covers the send too: a monitor that does not read makes the call end at its limit.
    public func run(_ commandLine: String, timeout: Duration? = nil) async throws -> String {
        guard !commandLine.contains(where: \.isNewline) else {
            throw QMPUsageError("an HMP command line cannot contain a line break")
        }
        guard !commandLine.allSatisfy(\.isWhitespace) else { throw QMPUsageError("empty HMP command") }
        let pending = Pending(command: commandLine)
        let timer = timeout.map { timeout in
            DeadlineScheduler.shared.schedule(after: timeout) { [weak self] in
                self?.abandon(pending, with: QMPTimeoutError(operation: "HMP '\(commandLine)'", timeout: timeout))
            }
        }
        defer { timer.map(DeadlineScheduler.shared.cancel) }
        let output = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<String, any Error>) in
                pending.continuation.withLock { $0 = continuation }
                let admitted = state.withLock { state -> Result<Bool, QMPConnectionError> in
                    if let error = state.lifecycle.closedError { return .failure(error) }
                    switch state.outbound.enqueue(OutboundMessage(bytes: Array((commandLine + "\n").utf8))) {
                    case .full(let queued):
                        return .failure(QMPConnectionError(
                            .sendQueueFull,
                            "HMP '\(commandLine)' was not sent: \(queued) bytes already wait to be sent (the monitor is not reading)"))
                    case .write(let ticket):
                        pending.ticket = ticket
                        _ = state.pending.register(pending, id: nil, inBand: true)
                        return .success(true)
                    case .queued(let ticket):
                        pending.ticket = ticket
                        _ = state.pending.register(pending, id: nil, inBand: true)
                        return .success(false)
                    }
                }
                switch admitted {
                case .failure(let error): pending.take()?.resume(throwing: error)
                case .success(true): flushWrites()
                case .success(false): break
                }
                if Task.isCancelled { abandon(pending, with: CancellationError()) }
            }
        } onCancel: {
            abandon(pending, with: CancellationError())
        }
        return try HMPFailureDetector.check(output, command: commandLine)
    }

    /// Gives up on a command: its caller gets `error` now; a command not yet handed to the socket is withdrawn
    /// unsent, otherwise its reply is dropped when it comes.
    private func abandon(_ pending: Pending, with error: any Error) {
        state.withLock { state in
            _ = state.pending.withdrawUnsent(pending, id: nil, ticket: pending.ticket, from: &state.outbound)
            pending.ticket = nil
        }
        pending.take()?.resume(throwing: error)
    }

    package var outboundTransport: any MessageTransport { transport }

    package func withOutbound<R>(_ body: (inout OutboundQueue, _ closed: Bool) -> R) -> R {
        state.withLock { state in body(&state.outbound, state.lifecycle.closedError != nil) }
    }

    // MARK: - What the transport delivers

    /// Bytes from the I/O thread: framed into the banner and one reply per command, in order.
    package func received(_ bytes: UnsafeRawBufferPointer) {
        let (bannerWaiter, banner, replies) = state.withLock { state in
            state.framer.append(bytes)
            var bannerWaiter: UnsafeContinuation<String, any Error>?
            var banner: String?
            var replies: [(Pending, String)] = []
            while let item = state.framer.next() {
                switch item {
                case .banner(let text):
                    banner = text.trimmingTrailingNewlines
                    state.banner = banner
                    bannerWaiter = state.bannerWaiter
                    state.bannerWaiter = nil
                case .reply(let text):
                    // Replies come in the order the commands were sent; one whose caller gave up is dropped.
                    if let call = state.pending.matchOldest() {
                        call.ticket = nil
                        replies.append((call, text))
                    }
                }
            }
            return (bannerWaiter, banner, replies)
        }
        if let banner { bannerWaiter?.resume(returning: banner) }
        for (call, text) in replies { call.take()?.resume(returning: text) }
    }

    /// The connection is over: every command still waiting fails.
    package func connectionEnded(_ error: QMPConnectionError) {
        let (pending, bannerWaiter, finalError) = state.withLock { state in
            let finalError = state.lifecycle.end(error)
            state.outbound.removeAll()
            defer { state.bannerWaiter = nil }
            return (state.pending.removeAll().inBand, state.bannerWaiter, finalError)
        }
        for call in pending { call.take()?.resume(throwing: finalError) }
        bannerWaiter?.resume(throwing: finalError)
    }

    /// Closes the connection; pending commands fail with code `closedByClient`. Returns once the socket is released.
    public func close() async {
        state.withLock { $0.lifecycle.closing = true }
        transport.shutdown()
        await finish.wait()
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = Substring(self)
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text.removeLast() }
        return String(text)
    }
}
