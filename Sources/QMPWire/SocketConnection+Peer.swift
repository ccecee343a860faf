#if canImport(Glibc)
import Glibc
#endif

extension SocketConnection {
    /// The process at the other end of a Unix socket, from the kernel (`SO_PEERCRED`), not from anything the peer
    /// says; `nil` for TCP sockets or when the kernel does not tell.
    public var peerProcessID: Int32? {
        #if os(Linux)
        // struct ucred: pid, uid, gid (three 32-bit integers).
        var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        let result = withUnsafeMutableBytes(of: &credentials) {
            getsockopt(fileDescriptor, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &length)
        }
        guard result == 0, credentials.pid > 0 else { return nil }
        return credentials.pid
        #else
        return nil
        #endif
    }
}
