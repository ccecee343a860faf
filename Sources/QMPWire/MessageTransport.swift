/// A connection that carries whole messages (and file descriptors) between a client and a monitor: the seam under
/// every client of this package.
///
/// It works at the level of messages, not bytes, so that a peer without a byte stream fits as well as a socket:
/// ``SocketTransport`` frames a stream socket (Unix, TCP or an inherited descriptor), and a libvirt transport turns
/// each message into one `virDomainQemuMonitorCommand` call and libvirt's event callbacks into incoming messages.
///
/// The contract (see also `SEAM.md` in the project notes):
/// - The client calls ``start(_:)`` exactly once, before anything else; from then on the transport delivers to the
///   ``TransportReceiver`` on threads of its own: each incoming message in order, at most one
///   ``TransportReceiver/transportReady()`` after each ``TransportSendResult/busy``, then exactly one
///   ``TransportReceiver/transportClosed(_:)`` and exactly one ``TransportReceiver/transportFinished()``, after which
///   it calls nothing more. Calls to the receiver never overlap, and the transport holds none of its own locks while
///   making them (the receiver resumes callers and may call ``send(_:)`` from inside them).
/// - ``send(_:)`` is called by one thread at a time (the client hands the writer role over under its own lock), from
///   a caller's thread or from inside a receiver call. It never blocks: it hands the message over and says whether the
///   transport can take the next one at once.
/// - ``shutdown()`` may be called from any thread, any number of times, and never blocks.
public protocol MessageTransport: AnyObject, Sendable {
    /// The greeting the transport supplies itself, for a peer that sends none on this connection because someone
    /// else already negotiated (libvirt: the version QEMU reports, no capabilities): its body
    /// (`{"version": …, "capabilities": []}`) or the whole `{"QMP": …}` message. `nil`: the peer greets on the
    /// wire and the client negotiates capabilities as usual.
    var suppliedGreeting: JSONObject? { get }

    /// The executor of the thread that delivers incoming messages, for `QMPClient.withAffinity` (a caller that
    /// runs there is resumed and sends its next request without a thread switch); `nil` when there is none.
    var executor: (any TaskExecutor)? { get }

    /// The process at the other end as the kernel reports it (`SO_PEERCRED`), or `nil` when it cannot be known.
    var peerProcessID: Int32? { get }

    /// Starts delivering to `receiver`; called exactly once, before any ``send(_:)``. The transport keeps the
    /// receiver until it has called ``TransportReceiver/transportFinished()``.
    func start(_ receiver: any TransportReceiver)

    /// Hands one message over without blocking the calling thread.
    ///
    /// Returns ``TransportSendResult/sent`` when the transport can take the next message at once, and
    /// ``TransportSendResult/busy`` when it took this one but can take no more for now: it then finishes this one
    /// on its own thread and calls ``TransportReceiver/transportReady()`` once it can take the next. The message's
    /// file descriptors travel with it; the caller keeps them open until the call they belong to has ended.
    /// Throws when the connection is broken: the client then fails everything with that error and calls
    /// ``shutdown()``; ``TransportReceiver/transportClosed(_:)`` still follows.
    func send(_ message: OutboundMessage) throws(QMPConnectionError) -> TransportSendResult

    /// Ends the connection without waiting: the transport stops (a blocked read wakes up), delivers
    /// ``TransportReceiver/transportClosed(_:)`` if it has not yet, and then
    /// ``TransportReceiver/transportFinished()`` once its threads no longer use the connection.
    func shutdown()
}

/// What a ``MessageTransport`` delivers to (the client's core).
public protocol TransportReceiver: AnyObject, Sendable {
    /// One incoming message, or input that could not be used as one (a broken object still ends exactly one
    /// protocol item; text between messages is only counted). For transports that frame JSON.
    func transportReceived(_ item: JSONStreamFramer.Item)

    /// Incoming bytes, for transports created to pass the stream through unframed (HMP's text, the guest agent's
    /// delimited stream); the buffer is valid only during the call.
    func transportReceived(bytes: UnsafeRawBufferPointer)

    /// The transport can take the next message again (after a ``TransportSendResult/busy``).
    func transportReady()

    /// The connection is over: end of stream (`closedByPeer`), an I/O error, or ``MessageTransport/shutdown()``.
    /// Delivered exactly once.
    func transportClosed(_ error: QMPConnectionError)

    /// The transport's threads no longer use the connection (delivered once, after ``transportClosed(_:)``).
    func transportFinished()
}

extension TransportReceiver {
    /// Bytes are not expected by a receiver of framed messages.
    public func transportReceived(bytes: UnsafeRawBufferPointer) {}
    /// Framed messages are not expected by a receiver of bytes.
    public func transportReceived(_ item: JSONStreamFramer.Item) {}
}

/// One message to send: for JSON transports one serialized JSON object followed by a newline, as QMP has it on a
/// socket (a transport that needs the bare object drops the newline); for byte transports, any bytes.
public struct OutboundMessage: Sendable {
    /// The encoded message.
    public var bytes: [UInt8]
    /// Descriptors passed with it (`SCM_RIGHTS` on a Unix socket), for QMP's `getfd` and `add-fd`.
    public var fileDescriptors: [Int32]

    /// A message of `bytes` with `fileDescriptors`.
    public init(bytes: [UInt8], fileDescriptors: [Int32] = []) {
        self.bytes = bytes
        self.fileDescriptors = fileDescriptors
    }
}

/// Whether a transport can take the next message at once.
public enum TransportSendResult: Sendable, Equatable {
    /// Handed over; send the next one when there is one.
    case sent
    /// Taken, but the transport is busy with it: wait for ``TransportReceiver/transportReady()``.
    case busy
}
