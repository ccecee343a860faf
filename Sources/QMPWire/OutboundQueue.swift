/// The write side of a connection as a value type, shared by the QMP, HMP and guest-agent clients: a bounded
/// queue of messages waiting for the transport, and who may hand them over (the *writer role*).
///
/// No I/O and no locks: the owner keeps it under its state lock and performs what it says outside the lock. A
/// caller that enqueues onto an idle queue becomes the writer and sends at once on its own thread; otherwise its
/// message waits. When the transport answers ``TransportSendResult/busy``, the queue waits for
/// ``TransportReceiver/transportReady()`` and the transport's thread takes the writer role then. A message still
/// queued when its caller gives up is withdrawn unsent (``withdraw(_:)``); one handed to the transport cannot be.
package struct OutboundQueue: Sendable {
    /// What ``enqueue(_:)`` decided.
    package enum Admission: Sendable, Equatable {
        /// Queued; the caller now holds the writer role and must flush (``flushOutbound(to:next:busy:)``).
        case write(ticket: UInt64)
        /// Queued behind others (or behind a busy transport); someone else sends it.
        case queued(ticket: UInt64)
        /// Refused: this many bytes already wait, and the message would pass the limit.
        case full(queuedBytes: Int)
    }

    private var queue = FIFOQueue<(ticket: UInt64, message: OutboundMessage)>()
    /// Bytes waiting in the queue.
    package private(set) var queuedBytes = 0
    /// The most bytes that may wait; one message is always accepted, whatever its size.
    package let limit: Int
    private var nextTicket: UInt64 = 1
    /// Someone holds the writer role (is between taking a message and handing it over, outside the lock).
    package private(set) var writing = false
    /// The transport said `busy` and has not said `ready` since.
    package private(set) var transportBusy = false
    /// `ready` came while the writer was between its send and recording `busy`.
    private var readyWhileWriting = false

    /// A queue that holds at most `limit` bytes.
    package init(limit: Int) { self.limit = limit }

    /// Messages waiting.
    package var count: Int { queue.count }
    package var isEmpty: Bool { queue.isEmpty }

    /// Queues a message; says whether the caller must send it now.
    package mutating func enqueue(_ message: OutboundMessage) -> Admission {
        if !queue.isEmpty && queuedBytes + message.bytes.count > limit { return .full(queuedBytes: queuedBytes) }
        let ticket = nextTicket
        nextTicket += 1
        queue.append((ticket, message))
        queuedBytes += message.bytes.count
        if writing || transportBusy { return .queued(ticket: ticket) }
        writing = true
        return .write(ticket: ticket)
    }

    /// Removes a message not yet handed to the transport; false when it was (or never existed).
    package mutating func withdraw(_ ticket: UInt64) -> Bool {
        guard let entry = queue.removeFirst(where: { $0.ticket == ticket }) else { return false }
        queuedBytes -= entry.message.bytes.count
        return true
    }

    /// For the writer: the next message to hand over, or `nil` (and the writer role is released).
    package mutating func next() -> OutboundMessage? {
        guard let entry = queue.popFirst() else {
            writing = false
            return nil
        }
        queuedBytes -= entry.message.bytes.count
        readyWhileWriting = false
        return entry.message
    }

    /// For the writer, after the transport said `busy`: true to carry on (it became ready meanwhile); false and
    /// the writer role is released until ``ready()``.
    package mutating func busy() -> Bool {
        if readyWhileWriting {
            readyWhileWriting = false
            return true
        }
        writing = false
        transportBusy = true
        return false
    }

    /// The transport can take messages again; true when the caller must take the writer role and flush.
    package mutating func ready() -> Bool {
        if writing {
            readyWhileWriting = true
            return false
        }
        transportBusy = false
        guard !queue.isEmpty else { return false }
        writing = true
        return true
    }

    /// The writer's send failed (the connection is broken): the role is released.
    package mutating func sendFailed() {
        writing = false
    }

    /// Drops every waiting message (the connection is over); returns their tickets, oldest first.
    @discardableResult
    package mutating func removeAll() -> [UInt64] {
        queuedBytes = 0
        return queue.removeAll().map(\.ticket)
    }
}

/// Hands messages to `transport` while `next` gives them and the transport takes them: the writer's loop over an
/// ``OutboundQueue`` kept under the owner's lock (`next` and `busy` take the lock; the send runs outside it).
/// `first`, when given, is a message the writer already took from the queue (with ``OutboundQueue/next()``, in the
/// same lock that gave it the role), so an idle queue costs one lock less. Returns the error when the transport is
/// broken (the owner then releases the role with ``OutboundQueue/sendFailed()``, fails its calls and shuts the
/// transport down).
package func flushOutbound(
    to transport: any MessageTransport, first: OutboundMessage? = nil, next: () -> OutboundMessage?,
    busy: () -> Bool
) -> QMPConnectionError? {
    var message = first ?? next()
    while let current = message {
        do {
            if try transport.send(current) == .busy && !busy() { return nil }
        } catch {
            return error
        }
        message = next()
    }
    return nil
}
