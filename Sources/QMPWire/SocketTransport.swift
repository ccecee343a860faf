import Synchronization

/// A ``MessageTransport`` over a connected stream socket: Unix, TCP, or one inherited as a descriptor.
///
/// One I/O thread of its own polls the socket, reads, frames and delivers incoming messages, and finishes a
/// message the socket did not take at once when it becomes writable. The same thread is a task executor
/// (``executor``): a caller that runs there is resumed by the reply and writes its next request without a thread
/// switch. The socket is never written with a blocking call: ``send(_:)`` writes what the socket takes now and
/// leaves the rest to the I/O thread. No lock is held across a system call.
public final class SocketTransport: MessageTransport {
    /// How incoming bytes are delivered.
    public enum Framing: Sendable, Equatable {
        /// Framed into JSON objects (``JSONStreamFramer``), each bounded by `maximumMessageSize` as it arrives.
        case json(maximumMessageSize: Int)
        /// Passed through as they arrive (``TransportReceiver/transportReceived(bytes:)``), for peers with a
        /// framing of their own (HMP's prompt, the guest agent's delimiter).
        case bytes
    }

    private struct WriteState {
        /// The message the socket did not take whole, and how much of it was written.
        var remainder: OutboundMessage?
        var offset = 0
    }

    /// The socket.
    public let connection: SocketConnection
    /// How incoming bytes are delivered.
    public let framing: Framing
    private let io = IOExecutor()
    private let writeState = Mutex(WriteState())
    private let started = Atomic<Bool>(false)
    /// Text of the error at end of stream (`closedByPeer`).
    private let endMessage: String

    /// A socket's peer sends its own greeting (if any): `nil`.
    public var suppliedGreeting: JSONObject? { nil }
    /// The I/O thread as a task executor.
    public var executor: (any TaskExecutor)? { io }
    /// The peer process for a Unix socket (`SO_PEERCRED`), `nil` for TCP.
    public var peerProcessID: Int32? { connection.peerProcessID }

    /// A transport over `connection`, which it owns from now on. `endMessage` is the text of the `closedByPeer`
    /// error at end of stream.
    public init(
        connection: SocketConnection, framing: Framing = .json(maximumMessageSize: 256 << 20),
        endMessage: String = "the monitor closed the connection"
    ) {
        self.connection = connection
        self.framing = framing
        self.endMessage = endMessage
    }

    /// Connects to `address` within `timeout` without blocking the caller's thread (see
    /// ``SocketConnection/connect(to:timeout:)``).
    public static func connect(
        to address: MonitorAddress, timeout: Duration, framing: Framing = .json(maximumMessageSize: 256 << 20),
        endMessage: String = "the monitor closed the connection"
    ) async throws(QMPConnectionError) -> SocketTransport {
        SocketTransport(
            connection: try await SocketConnection.connect(to: address, timeout: timeout), framing: framing,
            endMessage: endMessage)
    }

    // MARK: - MessageTransport

    /// Starts the I/O thread, which delivers to `receiver` until the connection ends (see ``MessageTransport``).
    public func start(_ receiver: any TransportReceiver) {
        precondition(!started.exchange(true, ordering: .relaxed), "a transport is started once")
        startDetachedThread { [self] in
            let error = run(receiver)
            connection.shutdown()
            receiver.transportClosed(error)
            io.stop()
            receiver.transportFinished()
        }
    }

    /// Writes what the socket takes now (`MSG_DONTWAIT`; the descriptors go with the first byte); the rest is left
    /// to the I/O thread, which calls ``TransportReceiver/transportReady()`` once the socket took it all.
    public func send(_ message: OutboundMessage) throws(QMPConnectionError) -> TransportSendResult {
        let offset = try write(message, from: 0)
        if offset == message.bytes.count { return .sent }
        writeState.withLock { state in
            state.remainder = message
            state.offset = offset
        }
        // The I/O thread polls for writability from now on (and is woken if it sleeps without doing so).
        io.wake()
        return .busy
    }

    /// Shuts the socket down: the I/O thread wakes, sees the end of the stream and finishes.
    public func shutdown() {
        connection.shutdown()
    }

    // MARK: - The I/O thread

    /// Writes what the socket takes now of `message` from `offset`; returns the new offset.
    private func write(_ message: OutboundMessage, from start: Int) throws(QMPConnectionError) -> Int {
        let result = message.bytes.withUnsafeBytes { raw -> Result<Int, QMPConnectionError> in
            var offset = start
            while offset < raw.count {
                do throws(QMPConnectionError) {
                    let written = try connection.sendAvailable(
                        UnsafeRawBufferPointer(rebasing: raw[offset...]),
                        fileDescriptors: offset == 0 ? message.fileDescriptors : [])
                    if written == 0 { break }
                    offset += written
                } catch {
                    return .failure(error)
                }
            }
            return .success(offset)
        }
        return try result.get()
    }

    /// Reads, frames and delivers until the stream ends or fails; returns why it stopped.
    private func run(_ receiver: any TransportReceiver) -> QMPConnectionError {
        // Not an optional: testing and unwrapping an optional framer copied the whole struct and destroyed the copy
        // for every chunk (~800 instructions a reply, callgrind). With `.bytes` framing it stays unused.
        var framer = JSONStreamFramer()
        var frames = false
        if case .json(let limit) = framing {
            framer = JSONStreamFramer(maximumMessageSize: limit)
            frames = true
        }
        let capacity = 256 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            // Run the jobs of tasks that prefer this thread, then sleep until the socket or a new job wakes it.
            io.runJobs()
            guard io.prepareToSleep() else { continue }
            // Read after `prepareToSleep`: a sender that leaves a remainder later finds the loop asleep and wakes it.
            let wantsWritable = writeState.withLock { $0.remainder != nil }
            let ready = connection.waitForIO(writable: wantsWritable, wake: io.wakeDescriptor)
            io.awake()
            if ready.writable {
                do throws(QMPConnectionError) {
                    if try flushRemainder() { receiver.transportReady() }
                } catch {
                    return error
                }
            }
            guard ready.readable else { continue }
            let count: Int
            do {
                count = try connection.receive(into: buffer)
            } catch {
                return error
            }
            if count == 0 {
                return QMPConnectionError(
                    .closedByPeer,
                    frames && framer.isInsideMessage ? "\(endMessage) in the middle of a message" : endMessage)
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            if frames {
                framer.append(chunk)
                while let item = try? framer.next() { receiver.transportReceived(item) }
            } else {
                receiver.transportReceived(bytes: chunk)
            }
        }
    }

    /// Writes more of the message the socket did not take whole; true once it is all written.
    private func flushRemainder() throws(QMPConnectionError) -> Bool {
        let taken = writeState.withLock { state in state.remainder.map { ($0, state.offset) } }
        guard let (message, offset) = taken else { return false }
        let written = try write(message, from: offset)
        return writeState.withLock { state in
            if written == message.bytes.count {
                state.remainder = nil
                state.offset = 0
                return true
            }
            state.offset = written
            return false
        }
    }
}
