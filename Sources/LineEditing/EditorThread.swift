#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One thread that runs jobs in order: libedit is not thread-safe, so every call into it happens here.
final class EditorThread: Sendable {
    private struct Jobs {
        var queue: [@Sendable () -> Void] = []
        var stopping = false
    }

    private let jobs = Mutex(Jobs())
    private let pipe: (read: Int32, write: Int32)
    private let idleDescriptor: Int32
    private let onIdleWake: @Sendable () -> Void

    /// A thread that, between jobs, also waits on `idleDescriptor` and calls `onIdleWake` (on the thread) when it
    /// becomes readable.
    init(idleDescriptor: Int32, onIdleWake: @escaping @Sendable () -> Void) {
        guard let pipe = Descriptors.makePipe() else { fatalError("cannot create a pipe for the line editor") }
        self.pipe = pipe
        self.idleDescriptor = idleDescriptor
        self.onIdleWake = onIdleWake
        Descriptors.startThread { [self] in loop() }
    }

    /// Runs `job` on the thread after the jobs before it.
    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.queue.append(job) }
        Descriptors.wakeUp(pipe.write)
    }

    /// Runs `job` on the thread and waits for it (blocking the caller).
    func runAndWait(_ job: @escaping @Sendable () -> Void) {
        guard let done = Descriptors.makePipe() else { return }
        submit {
            job()
            Descriptors.wakeUp(done.write)
        }
        _ = Descriptors.waitReadable([done.read])
        close(done.read)
        close(done.write)
    }

    /// Ends the thread after the queued jobs.
    func stop() {
        jobs.withLock { $0.stopping = true }
        Descriptors.wakeUp(pipe.write)
    }

    private func loop() {
        while true {
            let ready = Descriptors.waitReadable([pipe.read, idleDescriptor])
            if ready[1] { onIdleWake() }
            guard ready[0] else { continue }
            Descriptors.drain(pipe.read)
            let (batch, stopping) = jobs.withLock { jobs in
                defer { jobs.queue.removeAll() }
                return (jobs.queue, jobs.stopping)
            }
            for job in batch { job() }
            if stopping {
                close(pipe.read)
                close(pipe.write)
                return
            }
        }
    }
}
