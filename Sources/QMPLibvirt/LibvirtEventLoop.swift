#if canImport(Glibc)
import Glibc
#endif
import CLibvirtLoader
import QMP
import Synchronization

/// Libvirt's default event loop, run on a thread of its own for the life of the process.
///
/// Libvirt delivers monitor events, lifecycle events, keep-alives and close notifications only through a
/// registered event loop, and its default implementation can be registered once per process and never removed.
/// So the loop is started on first use (before the first connection is opened, as libvirt requires) and is owned
/// by the process, not by any one connection. It is idle when no connection has anything registered.
enum LibvirtEventLoop {
    /// `nil` when the loop runs, otherwise why not; computed once (Swift runs a static initializer exactly once).
    private static let failure: String? = {
        // libvirt is loaded here, on first use (dlopen): commands that never touch libvirt do not load it.
        var loadError: UnsafePointer<CChar>?
        guard qk_libvirt_load(&loadError) == 0 else {
            return loadError.map { String(cString: $0) } ?? "libvirt could not be loaded"
        }
        // Libvirt prints every error on stderr unless a handler is set; a library must not print, and the errors
        // reach the caller as LibvirtError anyway.
        qk_virSetErrorFunc(nil, { _, _ in })
        ignoreSIGPIPEUnlessHandled()
        guard qk_virEventRegisterDefaultImpl() == 0 else {
            return "libvirt's event loop could not be started: \(lastLibvirtMessage() ?? "no reason given")"
        }
        startThread {
            while qk_virEventRunDefaultImpl() == 0 {}
        }
        return nil
    }()

    /// Starts the loop if it is not running. Throws when libvirt refuses to register it.
    static func start() throws(LibvirtError) {
        if let failure { throw LibvirtError(.callFailed, failure) }
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
        guard let error = qk_virGetLastError() else { return LibvirtFailure(code: 0, message: "unknown libvirt error") }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown libvirt error"
        return LibvirtFailure(code: error.pointee.code, message: message)
    }

    func `is`(_ number: virErrorNumber) -> Bool { code == Int32(number.rawValue) }
}

func lastLibvirtMessage() -> String? {
    qk_virGetLastError()?.pointee.message.map { String(cString: $0) }
}

/// Runs blocking libvirt calls on a thread of their own, so they never hold a thread of the cooperative pool.
///
/// With a `timeout`, stops waiting after it and throws `timeoutError()`; the thread cannot be interrupted (libvirt
/// calls such as opening an ssh connection block), so it finishes on its own and its result is dropped —
/// `abandoned` runs at the time-out so the caller can make that result harmless.
func onOwnThread<T: Sendable>(
    timeout: Duration? = nil, timeoutError: @escaping @Sendable () -> any Error = { CancellationError() },
    abandoned: @escaping @Sendable () -> Void = {}, _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    let gate = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.install(continuation)
        startThread { gate.resume(with: Result { try body() }) }
        if let timeout {
            gate.setTimer(Task {
                do { try await Task.sleep(for: timeout) } catch { return }
                if gate.resume(with: .failure(timeoutError())) { abandoned() }
            })
        }
    }
}

/// A continuation resumed by whichever comes first: the result, or the time-out.
private final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var timer: Task<Void, Never>?
        var done = false
    }
    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func setTimer(_ timer: Task<Void, Never>) {
        let cancel = state.withLock { state -> Bool in
            if state.done { return true }
            state.timer = timer
            return false
        }
        if cancel { timer.cancel() }
    }

    /// Resumes unless already resumed; returns whether this call did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let taken = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            defer { state.continuation = nil; state.timer = nil }
            return (state.continuation, state.timer)
        }
        guard let continuation = taken.0 else { return false }
        taken.1?.cancel()
        continuation.resume(with: result)
        return true
    }
}
