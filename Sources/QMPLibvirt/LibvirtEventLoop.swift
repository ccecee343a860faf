#if canImport(Glibc)
import Glibc
#endif
import CLibvirt
import QMP

/// Libvirt's default event loop, run on a thread of its own for the life of the process.
///
/// Libvirt delivers monitor events, lifecycle events, keep-alives and close notifications only through a
/// registered event loop, and its default implementation can be registered once per process and never removed.
/// So the loop is started on first use (before the first connection is opened, as libvirt requires) and is owned
/// by the process, not by any one connection. It is idle when no connection has anything registered.
enum LibvirtEventLoop {
    /// Whether the loop could be registered; computed once (Swift runs a static initializer exactly once).
    private static let registered: Bool = {
        // Libvirt prints every error on stderr unless a handler is set; a library must not print, and the errors
        // reach the caller as LibvirtError anyway.
        virSetErrorFunc(nil, { _, _ in })
        ignoreSIGPIPEUnlessHandled()
        guard virEventRegisterDefaultImpl() == 0 else { return false }
        startThread {
            while virEventRunDefaultImpl() == 0 {}
        }
        return true
    }()

    /// Starts the loop if it is not running. Throws when libvirt refuses to register it.
    static func start() throws(LibvirtError) {
        guard registered else {
            throw LibvirtError(.callFailed, "libvirt's event loop could not be started: \(lastLibvirtMessage() ?? "no reason given")")
        }
    }
}

/// Libvirt's client writes to its socket with `write(2)`, so a daemon that goes away (libvirtd stopped, a remote
/// host lost) would kill the process with SIGPIPE; libvirt documents that its users must ignore SIGPIPE. This is
/// done once, and only when SIGPIPE still has its default action: a handler the application installed is kept.
private func ignoreSIGPIPEUnlessHandled() {
    var current = sigaction()
    guard sigaction(SIGPIPE, nil, &current) == 0 else { return }
    let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
    guard handler == unsafeBitCast(SIG_DFL, to: Int.self) else { return }
    var ignore = sigaction()
    ignore.__sigaction_handler.sa_handler = SIG_IGN
    sigemptyset(&ignore.sa_mask)
    _ = sigaction(SIGPIPE, &ignore, nil)
}

/// Libvirt's last error on this thread.
struct LibvirtFailure {
    var code: Int32
    var message: String

    static func last() -> LibvirtFailure {
        guard let error = virGetLastError() else { return LibvirtFailure(code: 0, message: "unknown libvirt error") }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown libvirt error"
        return LibvirtFailure(code: error.pointee.code, message: message)
    }

    func `is`(_ number: virErrorNumber) -> Bool { code == Int32(number.rawValue) }
}

func lastLibvirtMessage() -> String? {
    virGetLastError()?.pointee.message.map { String(cString: $0) }
}

/// Runs blocking libvirt calls on a thread of their own, so they never hold a thread of the cooperative pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        startThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
