#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bound, listening stream socket (Unix path, or TCP on the loopback address). A Unix socket file is made
/// owner-only (mode 0600).
///
/// Creating the socket before the server process starts removes the start-up race: clients can connect at once
/// (the kernel queues them) and QEMU takes the descriptor with `-chardev socket,fd=N,server=on`. Once the child
/// has its copy, release this one: then, should QEMU exit, queued clients are reset instead of waiting.
public final class ListeningSocket: Sendable {
    /// The Unix socket's path; empty for a TCP socket, and for an adopted one given no path.
    public let path: String
    /// The listening descriptor (close-on-exec); it is closed when this value is released.
    public let fileDescriptor: Int32

    /// Binds a Unix socket at `path` (replacing a stale file there), makes it owner-only and listens, queueing
    /// at most about `backlog` connections. Throws `QMPConnectionError` (`socketError`) when it cannot.
    public init(path: String, backlog: Int32 = 8) throws {
        self.path = path
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw QMPConnectionError(.socketError, "socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw QMPConnectionError(.socketError, "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { (raw: UnsafeMutableRawBufferPointer) in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        // Owner-only (0600) before anyone can connect: a bound socket refuses connections until `listen`, so
        // there is no window in which the umask's mode applies.
        guard bound == 0, chmod(path, 0o600) == 0, listen(fd, backlog) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw QMPConnectionError(.socketError, "bind/listen \(path): \(message)")
        }
        fileDescriptor = fd
    }

    /// A TCP socket listening on 127.0.0.1 at a port the kernel picks (see ``port``), queueing at most about
    /// `backlog` connections it has not accepted.
    public static func tcpLoopback(backlog: Int32 = 8) throws -> ListeningSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw QMPConnectionError(.socketError, "socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw QMPConnectionError(.socketError, "bind/listen on 127.0.0.1: \(message)")
        }
        return ListeningSocket(adopting: fd, path: "")
    }

    /// The TCP port of a socket made by ``tcpLoopback(backlog:)``.
    public var port: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Adopts an inherited listening socket (e.g. descriptor 3 given by a parent process).
    public init(adopting fileDescriptor: Int32, path: String = "") {
        self.fileDescriptor = fileDescriptor
        self.path = path
    }

    deinit { close(fileDescriptor) }

    /// Accepts one connection, blocking until a client connects; `nil` once the socket was shut down.
    public func accept() -> SocketConnection? {
        while true {
            let fd = Glibc.accept(fileDescriptor, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                return SocketConnection(adopting: fd)
            }
            if errno != EINTR { return nil }
        }
    }

    /// Wakes a blocked ``accept()`` and stops accepting.
    public func shutdown() {
        _ = Glibc.shutdown(fileDescriptor, Int32(SHUT_RDWR))
    }
}
