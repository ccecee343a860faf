import Synchronization

/// How a connection ends, shared by the QMP, HMP and guest-agent clients: a value type kept under the owner's
/// state lock. The first end wins; when the owner asked for it (``closing``), it is `closedByClient` whatever the
/// transport reported.
package struct ConnectionLifecycle: Sendable {
    /// The owner asked for the close.
    package var closing = false
    /// Why the connection is over, once it is; later calls fail with it at once.
    package private(set) var closedError: QMPConnectionError?

    package init() {}

    /// Records the end (once) and returns the error every waiting call fails with.
    package mutating func end(
        _ error: QMPConnectionError, closedByClient message: String = "the connection was closed by this client"
    ) -> QMPConnectionError {
        if let closedError { return closedError }
        let final = closing ? QMPConnectionError(.closedByClient, message) : error
        closedError = final
        return final
    }
}

/// Signalled once the transport's threads no longer use the connection (`transportFinished()`); `close()` of
/// every client awaits it, so the descriptor is released when `close()` returns.
package final class FinishSignal: Sendable {
    private struct State {
        var finished = false
        var waiters: [UnsafeContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    package init() {}

    /// Marks the connection released and resumes everyone waiting.
    package func signal() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once ``signal()`` was called (at once if it was already).
    package func wait() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Whether ``signal()`` was called.
    package var isSignalled: Bool { state.withLock { $0.finished } }
}

/// A client whose requests wait in an ``OutboundQueue`` under its lock: the writer-role logic, once for QMP, HMP
/// and the agent.
package protocol OutboundQueueOwner: AnyObject, Sendable {
    /// Where requests go.
    var outboundTransport: any MessageTransport { get }
    /// Runs `body` on the queue under the owner's lock; `closed` tells whether the connection is over.
    func withOutbound<R>(_ body: (inout OutboundQueue, _ closed: Bool) -> R) -> R
    /// A send failed: fail everything with `error` (the transport is shut down afterwards).
    func outboundFailed(_ error: QMPConnectionError)
}

extension OutboundQueueOwner {
    /// Hands queued requests to the transport while it takes them; for whoever holds the writer role (a caller
    /// that found the queue idle, or the transport's thread after `transportReady()`). Never blocks and holds no
    /// lock across the send. `first` is a message the caller took from the queue in the lock that gave it the writer role.
    package func flushWrites(first: OutboundMessage? = nil) {
        let failure = flushOutbound(
            to: outboundTransport, first: first, next: { withOutbound { queue, _ in queue.next() } },
            busy: { withOutbound { queue, _ in queue.busy() } })
        if let failure {
            withOutbound { queue, _ in queue.sendFailed() }
            outboundFailed(failure)
            outboundTransport.shutdown()
        }
    }

    /// The transport can take messages again: take the writer role and flush what waits.
    package func outboundReady() {
        if withOutbound({ queue, closed in !closed && queue.ready() }) { flushWrites() }
    }
}

/// A client of an unframed byte stream on the shared core (the direct HMP client, the guest agent): it frames
/// what arrives itself, queues requests in an ``OutboundQueue``, and ends with a ``FinishSignal``.
package protocol ByteStreamClient: OutboundQueueOwner {
    /// Signalled when the transport has released the connection.
    var finish: FinishSignal { get }
    /// Bytes from the transport's thread.
    func received(_ bytes: UnsafeRawBufferPointer)
    /// The connection is over: fail what waits.
    func connectionEnded(_ error: QMPConnectionError)
}

extension ByteStreamClient {
    /// A failed send ends the connection.
    package func outboundFailed(_ error: QMPConnectionError) {
        connectionEnded(error)
    }
}

/// Forwards a transport's calls to a ``ByteStreamClient`` (keeping them out of the client's public API). The
/// transport holds it, and so the client, until its threads have finished.
package final class ByteStreamReceiver<Client: ByteStreamClient>: TransportReceiver {
    private let client: Client

    package init(_ client: Client) { self.client = client }

    package func transportReceived(bytes: UnsafeRawBufferPointer) { client.received(bytes) }
    package func transportReady() { client.outboundReady() }
    package func transportClosed(_ error: QMPConnectionError) { client.connectionEnded(error) }
    package func transportFinished() { client.finish.signal() }
}
