#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connected stream socket to a monitor: blocking reads for one reader thread, sends from any thread, and
/// file-descriptor passing (`SCM_RIGHTS`) for QMP's `getfd` and `add-fd`.
///
/// Lifetime: ``shutdown()`` wakes a blocked reader (it then sees end of stream); the descriptor is closed only when
/// the object is released, so never while another thread may still use it.
public final class SocketConnection: Sendable {
    /// The socket descriptor.
    public let fileDescriptor: Int32

    /// Adopts a connected stream socket.
    public init(adopting fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(fileDescriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    deinit {
        _ = Glibc_close(fileDescriptor)
    }

    // MARK: - Connecting

    /// Connects to `address` (for `.fileDescriptor`, adopts it after checking it is a socket).
    public static func connect(to address: MonitorAddress) throws(QMPConnectionError) -> SocketConnection {
        switch address {
        case .unix(let path): return try connectUnix(path: path)
        case .tcp(let host, let port): return try connectTCP(host: host, port: port)
        case .fileDescriptor(let fd):
            var type: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else {
                throw QMPConnectionError(.socketError, "fd:\(fd) is not a socket: \(errnoText(errno))", errno: errno)
            }
            return SocketConnection(adopting: fd)
        }
    }

    /// Connects to `address` within `timeout`, without blocking the caller's thread.
    ///
    /// A monitor's listen backlog is tiny (about two connections): with QEMU stopped or busy, or its monitor held
    /// by another client, further connects wait in the kernel. A non-blocking Unix-socket connect cannot wait for
    /// room in the backlog (it fails with `EAGAIN` at once, leaving only a retry loop), so the connect runs with
    /// the kernel's own send time-out (`SO_SNDTIMEO`, which bounds `connect` for Unix and TCP sockets) on a short-
    /// lived thread of its own: it wakes the moment the server accepts, and ends at the deadline at the latest.
    /// Throws ``QMPConnectionError/Code/timedOut`` then.
    public static func connect(to address: MonitorAddress, timeout: Duration) async throws(QMPConnectionError)
        -> SocketConnection
    {
        if case .fileDescriptor = address { return try connect(to: address) }
        let result: Result<SocketConnection, QMPConnectionError> = await withUnsafeContinuation { continuation in
            startDetachedThread {
                continuation.resume(returning: Result { () throws(QMPConnectionError) in
                    try connect(to: address, sendTimeout: timeout)
                })
            }
        }
        return try result.get()
    }

    /// Connects to `address` on the caller's thread, which waits `timeout` at most (for an API that cannot be
    /// asynchronous; prefer ``connect(to:timeout:)``, which blocks no caller). Throws
    /// ``QMPConnectionError/Code/timedOut`` at the limit, with the same message.
    package static func connect(to address: MonitorAddress, blockingAtMost timeout: Duration) throws(QMPConnectionError)
        -> SocketConnection
    {
        try connect(to: address, sendTimeout: timeout)
    }

    private static func connect(to address: MonitorAddress, sendTimeout: Duration?) throws(QMPConnectionError)
        -> SocketConnection
    {
        switch address {
        case .unix(let path): return try connectUnix(path: path, timeout: sendTimeout)
        case .tcp(let host, let port): return try connectTCP(host: host, port: port, timeout: sendTimeout)
        case .fileDescriptor: return try connect(to: address)
        }
    }

    /// Sets (or with `nil` clears) the socket's send time-out, which also bounds a blocking `connect`.
    private static func setSendTimeout(_ fd: Int32, _ timeout: Duration?) {
        var value = timeval()
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            value.tv_sec = .init(max(0, seconds))
            value.tv_usec = .init(max(0, attoseconds / 1_000_000_000_000))
            if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1 }
        }
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func timedOut(_ what: String, _ timeout: Duration?) -> QMPConnectionError {
        QMPConnectionError(
            .timedOut,
            "cannot connect to \(what) within \(timeout.map { "\($0)" } ?? "the time limit"): the monitor does not accept connections (QEMU stopped or busy, or another client holds the monitor)",
            errno: EAGAIN)
    }

    private static func connectUnix(path: String, timeout: Duration? = nil) throws(QMPConnectionError) -> SocketConnection {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let utf8 = Array(path.utf8)
        guard utf8.count < capacity else {
            throw QMPConnectionError(
                .socketError, "socket path is \(utf8.count) bytes, longer than the \(capacity - 1) a Unix socket allows: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { (raw: UnsafeMutableRawBufferPointer) in
            raw.copyBytes(from: utf8)
            raw[utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM_VALUE) | SOCK_CLOEXEC_VALUE, 0)
        guard fd >= 0 else { throw QMPConnectionError(.socketError, "socket(): \(errnoText(errno))", errno: errno) }
        if timeout != nil { setSendTimeout(fd, timeout) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                retryingInterrupts { Glibc_connect(fd, pointer, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        if result != 0 {
            let error = errno
            _ = Glibc_close(fd)
            let code: QMPConnectionError.Code
            let hint: String
            switch error {
            case ENOENT: (code, hint) = (.notFound, "no such socket (is QEMU running with a monitor on unix:\(path),server=on?)")
            case ECONNREFUSED: (code, hint) = (.refused, "connection refused (QEMU not running or not listening yet)")
            case EACCES, EPERM: (code, hint) = (.permissionDenied, "permission denied")
            case EAGAIN, EINPROGRESS: throw timedOut(path, timeout)
            default: (code, hint) = (.socketError, errnoText(error))
            }
            throw QMPConnectionError(code, "cannot connect to \(path): \(hint)", errno: error)
        }
        if timeout != nil { setSendTimeout(fd, nil) }
        return SocketConnection(adopting: fd)
    }

    private static func connectTCP(host: String, port: UInt16, timeout: Duration? = nil) throws(QMPConnectionError)
        -> SocketConnection
    {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM_VALUE)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw QMPConnectionError(.unresolvable, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype | SOCK_CLOEXEC_VALUE,
                            current.pointee.ai_protocol)
            if fd < 0 {
                lastError = errno
                continue
            }
            if timeout != nil { setSendTimeout(fd, timeout) }
            if retryingInterrupts({ Glibc_connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) }) == 0 {
                if timeout != nil { setSendTimeout(fd, nil) }
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return SocketConnection(adopting: fd)
            }
            lastError = errno
            _ = Glibc_close(fd)
            if lastError == EINPROGRESS || lastError == EAGAIN { throw timedOut("\(host):\(port)", timeout) }
        }
        let code: QMPConnectionError.Code = lastError == ECONNREFUSED ? .refused : .socketError
        throw QMPConnectionError(code, "cannot connect to \(host):\(port): \(errnoText(lastError))", errno: lastError)
    }

    /// A connected pair of Unix stream sockets, e.g. to hand one end to QEMU (`-chardev socket,fd=N`).
    public static func pair() throws(QMPConnectionError) -> (SocketConnection, SocketConnection) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM_VALUE) | SOCK_CLOEXEC_VALUE, 0, &fds) == 0 else {
            throw QMPConnectionError(.socketError, "socketpair(): \(errnoText(errno))", errno: errno)
        }
        return (SocketConnection(adopting: fds[0]), SocketConnection(adopting: fds[1]))
    }

    // MARK: - I/O

    /// Sends all of `bytes`; the descriptors in `fileDescriptors` travel with the first byte (`SCM_RIGHTS`).
    public func send(_ bytes: UnsafeRawBufferPointer, fileDescriptors: [Int32] = []) throws(QMPConnectionError) {
        var offset = 0
        if !fileDescriptors.isEmpty {
            guard !bytes.isEmpty else { throw QMPConnectionError(.ioError, "file descriptors need at least one byte") }
            offset = try sendWithRights(bytes, fileDescriptors, flags: MSG_NOSIGNAL_VALUE)
        }
        while offset < bytes.count {
            let written = Glibc_send(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset, MSG_NOSIGNAL_VALUE)
            if written < 0 {
                if errno == EINTR { continue }
                throw sendError(errno)
            }
            offset += written
        }
    }

    /// Sends `bytes`.
    public func send(_ bytes: [UInt8], fileDescriptors: [Int32] = []) throws(QMPConnectionError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(QMPConnectionError) in try send(raw, fileDescriptors: fileDescriptors) }
        }
        try result.get()
    }

    /// Sends what the socket takes now without waiting (`MSG_DONTWAIT`): returns the number of bytes written, 0
    /// when the socket buffer is full. The descriptors travel with the first byte, so pass them only at offset 0.
    public func sendAvailable(_ bytes: UnsafeRawBufferPointer, fileDescriptors: [Int32] = []) throws(QMPConnectionError)
        -> Int
    {
        guard !bytes.isEmpty else { return 0 }
        if !fileDescriptors.isEmpty {
            return try sendWithRights(bytes, fileDescriptors, flags: MSG_NOSIGNAL_VALUE | MSG_DONTWAIT_VALUE)
        }
        while true {
            let written = Glibc_send(fileDescriptor, bytes.baseAddress!, bytes.count, MSG_NOSIGNAL_VALUE | MSG_DONTWAIT_VALUE)
            if written >= 0 { return written }
            let error = errno
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK { return 0 }
            throw sendError(error)
        }
    }

    /// Waits until the socket is readable (data, end of stream or an error), writable when `writable` is set, or
    /// `wake` is readable; no time limit. Returns what the socket is ready for.
    public func waitForIO(writable: Bool, wake: Int32) -> (readable: Bool, writable: Bool) {
        let events = Int16(POLLIN) | (writable ? Int16(POLLOUT) : 0)
        var entries = [
            pollfd(fd: fileDescriptor, events: events, revents: 0),
            pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let result = entries.withUnsafeMutableBufferPointer { Glibc_poll($0.baseAddress!, 2, -1) }
            if result >= 0 {
                let revents = entries[0].revents
                return (revents & ~Int16(POLLOUT) != 0, revents & Int16(POLLOUT) != 0)
            }
            if errno != EINTR { return (true, false) }
        }
    }

    private func sendError(_ error: Int32) -> QMPConnectionError {
        if error == EPIPE || error == ECONNRESET {
            return QMPConnectionError(.closedByPeer, "the monitor closed the connection", errno: error)
        }
        return QMPConnectionError(.ioError, "send failed: \(errnoText(error))", errno: error)
    }

    private func sendWithRights(_ bytes: UnsafeRawBufferPointer, _ fds: [Int32], flags: Int32) throws(QMPConnectionError)
        -> Int
    {
        let dataSize = fds.count * MemoryLayout<Int32>.size
        let result = RightsMessage.with(
            UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count, descriptors: fds.count
        ) { message, control -> Int in
            let header = control.bindMemory(to: cmsghdr.self, capacity: 1)
            header.pointee.cmsg_len = .init(RightsMessage.dataOffset + dataSize)
            header.pointee.cmsg_level = SOL_SOCKET
            header.pointee.cmsg_type = Int32(SCM_RIGHTS_VALUE)
            fds.withUnsafeBytes { (control + RightsMessage.dataOffset).copyMemory(from: $0.baseAddress!, byteCount: dataSize) }
            while true {
                let sent = sendmsg(fileDescriptor, &message, flags)
                if sent >= 0 || errno != EINTR { return sent }
            }
        }
        guard result >= 0 else {
            if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
            throw sendError(errno)
        }
        return result
    }

    /// Reads what is available, blocking until at least one byte arrives. Returns 0 at end of stream.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(QMPConnectionError) -> Int {
        while true {
            let count = Glibc_recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            let error = errno
            if error == EINTR { continue }
            if error == ECONNRESET { return 0 }
            throw QMPConnectionError(.ioError, "receive failed: \(errnoText(error))", errno: error)
        }
    }

    /// Reads like ``receive(into:)`` and also takes descriptors passed with `SCM_RIGHTS` (the caller owns them).
    public func receiveWithRights(into buffer: UnsafeMutableRawBufferPointer, maximumDescriptors: Int = 8)
        throws(QMPConnectionError) -> (count: Int, fileDescriptors: [Int32])
    {
        var descriptors: [Int32] = []
        let count = RightsMessage.with(buffer.baseAddress, buffer.count, descriptors: maximumDescriptors) {
            message, control -> Int in
            var received: Int
            repeat {
                received = recvmsg(fileDescriptor, &message, Int32(MSG_CMSG_CLOEXEC))
            } while received < 0 && errno == EINTR
            let header = control.assumingMemoryBound(to: cmsghdr.self)
            if received >= 0, header.pointee.cmsg_level == SOL_SOCKET, header.pointee.cmsg_type == Int32(SCM_RIGHTS_VALUE) {
                let data = control + RightsMessage.dataOffset
                for index in 0..<((Int(header.pointee.cmsg_len) - RightsMessage.dataOffset) / MemoryLayout<Int32>.size) {
                    descriptors.append(data.load(fromByteOffset: index * MemoryLayout<Int32>.size, as: Int32.self))
                }
            }
            return received
        }
        guard count >= 0 else {
            throw QMPConnectionError(.ioError, "receive failed: \(errnoText(errno))", errno: errno)
        }
        return (count, descriptors)
    }

    /// Waits until data (or end of stream) can be read, at most `milliseconds` (negative: no limit).
    /// Returns false on time-out.
    public func waitReadable(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let result = Glibc_poll(&entry, 1, milliseconds)
            if result >= 0 { return result > 0 }
            if errno != EINTR { return true }
        }
    }

    /// Waits, without a time limit, until the socket or `other` is readable. Returns whether the socket is (end of
    /// stream and errors count as readable).
    public func waitReadable(alsoWatching other: Int32) -> Bool {
        var entries = [
            pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: other, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let result = entries.withUnsafeMutableBufferPointer { Glibc_poll($0.baseAddress!, 2, -1) }
            if result >= 0 { return entries[0].revents != 0 }
            if errno != EINTR { return true }
        }
    }

    /// Shuts the socket down in both directions: a blocked reader wakes and sees end of stream, the peer sees EOF.
    public func shutdown() {
        _ = Glibc_shutdown(fileDescriptor, Int32(SHUT_RDWR_VALUE))
    }
}

/// The layout of a one-buffer message with an `SCM_RIGHTS` control block (what `CMSG_SPACE`/`CMSG_DATA` compute in C).
private enum RightsMessage {
    static let alignment = MemoryLayout<Int>.size
    static func aligned(_ n: Int) -> Int { (n + alignment - 1) & ~(alignment - 1) }
    /// Offset of the descriptors after the control header.
    static var dataOffset: Int { aligned(MemoryLayout<cmsghdr>.size) }

    /// Builds a `msghdr` over `base`/`count` with zeroed room for `descriptors` and runs `body` on it.
    static func with<R>(
        _ base: UnsafeMutableRawPointer?, _ count: Int, descriptors: Int,
        _ body: (inout msghdr, UnsafeMutableRawPointer) -> R
    ) -> R {
        let space = dataOffset + aligned(descriptors * MemoryLayout<Int32>.size)
        let control = UnsafeMutableRawPointer.allocate(byteCount: space, alignment: alignment)
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0, count: space)
        var vector = iovec(iov_base: base, iov_len: count)
        return withUnsafeMutablePointer(to: &vector) { vectorPointer in
            var message = msghdr()
            message.msg_iov = vectorPointer
            message.msg_iovlen = 1
            message.msg_control = control
            message.msg_controllen = .init(space)
            return body(&message, control)
        }
    }
}

// MARK: - Platform shims

@inline(__always)
func retryingInterrupts(_ body: () -> Int32) -> Int32 {
    while true {
        let result = body()
        if result == 0 || errno != EINTR { return result }
    }
}

/// `strerror` text for an errno value.
public func errnoText(_ error: Int32) -> String {
    String(cString: strerror(error))
}

#if canImport(Glibc)
let SOCK_STREAM_VALUE = Int32(SOCK_STREAM.rawValue)
let SOCK_CLOEXEC_VALUE = Int32(SOCK_CLOEXEC.rawValue)
let MSG_NOSIGNAL_VALUE = Int32(MSG_NOSIGNAL)
let MSG_DONTWAIT_VALUE = Int32(MSG_DONTWAIT)
let SCM_RIGHTS_VALUE = Int32(SCM_RIGHTS)
let SHUT_RDWR_VALUE = Int32(SHUT_RDWR)
#else
let SOCK_STREAM_VALUE = SOCK_STREAM
let SOCK_CLOEXEC_VALUE: Int32 = 0
let MSG_NOSIGNAL_VALUE: Int32 = 0
let MSG_DONTWAIT_VALUE = MSG_DONTWAIT
let SCM_RIGHTS_VALUE = SCM_RIGHTS
let SHUT_RDWR_VALUE = SHUT_RDWR
#endif

@inline(__always) func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
@inline(__always) func Glibc_connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
@inline(__always) func Glibc_send(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int {
    send(fd, bytes, count, flags)
}
@inline(__always) func Glibc_recv(_ fd: Int32, _ bytes: UnsafeMutableRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    recv(fd, bytes, count, flags)
}
@inline(__always) func Glibc_poll(_ fds: UnsafeMutablePointer<pollfd>, _ count: Int, _ timeout: Int32) -> Int32 {
    poll(fds, nfds_t(count), timeout)
}
@inline(__always) func Glibc_shutdown(_ fd: Int32, _ how: Int32) -> Int32 { shutdown(fd, how) }
