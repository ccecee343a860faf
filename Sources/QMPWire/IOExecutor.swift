#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The client's I/O thread as a task executor.
///
/// The thread that reads the socket also runs jobs of tasks that prefer this executor (see
/// `QMPClient.withAffinity(_:)`). For such a task a round trip needs no thread switch at all: the reply is read,
/// the caller resumed and its next request written, all on one thread — as a hand-written C client does.
/// Other threads hand jobs over through a queue and wake the thread through a pipe.
///
/// Once the I/O thread has stopped, jobs go to the global concurrent executor, so nothing waits forever.
package final class IOExecutor: TaskExecutor, Sendable {
    private struct Queue {
        /// A ring, so that handing one job over per round trip allocates nothing.
        var jobs = FIFOQueue<UnownedJob>()
        /// The loop is (about to be) blocked in `poll` and must be woken.
        var sleeping = false
        /// A byte was written to the pipe and not read yet.
        var wakePending = false
        var stopped = false
    }

    /// The read end of the wake-up pipe, which the loop polls together with the socket.
    package let wakeDescriptor: Int32
    private let wakeWriter: Int32
    private let queue = Mutex(Queue())

    package init() {
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0, "pipe failed: \(errno)")
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (wake, stopped) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.stopped else { return (false, true) }
            queue.jobs.append(job)
            guard queue.sleeping else { return (false, false) }
            queue.sleeping = false
            queue.wakePending = true
            return (true, false)
        }
        if stopped {
            globalConcurrentExecutor.enqueue(job)
        } else if wake {
            signal()
        }
    }

    private func signal() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    /// Wakes the loop if it sleeps (e.g. so that it starts watching the socket for writability).
    package func wake() {
        let wake = queue.withLock { queue -> Bool in
            guard queue.sleeping else { return false }
            queue.sleeping = false
            queue.wakePending = true
            return true
        }
        if wake { signal() }
    }

    /// Runs every queued job (and those they queue); called by the loop between reads.
    package func runJobs() {
        while let job = queue.withLock({ $0.jobs.popFirst() }) {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Marks the loop as about to sleep; false when jobs are waiting (run them instead of sleeping).
    package func prepareToSleep() -> Bool {
        queue.withLock { queue in
            guard queue.jobs.isEmpty else { return false }
            queue.sleeping = true
            return true
        }
    }

    package func awake() {
        let drain = queue.withLock { queue in
            queue.sleeping = false
            defer { queue.wakePending = false }
            return queue.wakePending
        }
        guard drain else { return }
        var bytes: (UInt64, UInt64) = (0, 0)
        _ = withUnsafeMutableBytes(of: &bytes) { read(wakeDescriptor, $0.baseAddress, $0.count) }
    }

    /// Stops the loop: queued and future jobs go to the global executor.
    package func stop() {
        let remaining = queue.withLock { queue -> [UnownedJob] in
            queue.stopped = true
            return queue.jobs.removeAll()
        }
        for job in remaining { globalConcurrentExecutor.enqueue(job) }
    }
}
