#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import QMP
import Synchronization

/// The actor-or-not measurement (issue 14): does `QMPClient` being an actor cost anything per call?
///
/// A prototype with nothing else in it: two clients whose `execute` awaits a continuation that a stand-in I/O thread
/// resumes at once, one an `actor` (as `QMPClient` is: `execute` isolated to it), one a `final class` (`execute`
/// non-isolated). Each runs from an ordinary task (`default`) and with the stand-in thread as the task's executor
/// (`affine`, what `withAffinity` does). `qmpkit-bench actor [COUNT]` prints µs a call (best of 3);
/// `qmpkit-bench callgrind` counts instructions a call (`actor-loop`).
enum ActorBench {
    static let modes = ["actor, default", "final class, default", "actor, affine", "final class, affine"]

    static func run(count: Int) async {
        let io = StandInIOThread()
        var best: [String: Double] = [:]
        for _ in 0..<3 {
            for mode in modes {
                let figure = await measure(mode, count: count, io: io)
                best[mode] = min(best[mode] ?? .infinity, figure)
            }
        }
        io.stop()
        print("\nActor or final class (prototype, \(count) calls, best of 3), µs a call:")
        print("| client | µs a call |")
        print("|---|---:|")
        for mode in modes { print("| \(mode) | \(Bench.format2(best[mode]!)) |") }
    }

    /// `qmpkit-bench actor-loop MODE COUNT` (for callgrind): one loop, then exit at once.
    static func loop(mode: String, count: Int) async -> Never {
        _ = await measure(mode, count: count, io: StandInIOThread())
        exit(0)
    }

    /// µs a call of `count` calls in `mode`.
    static func measure(_ mode: String, count: Int, io: StandInIOThread) async -> Double {
        let actorClient = ActorClient(io: io)
        let classClient = ClassClient(io: io)
        switch mode {
        case "actor, default": return await timedLoop(count) { await actorClient.execute() }
        case "final class, default": return await timedLoop(count) { await classClient.execute() }
        case "actor, affine":
            return await withTaskExecutorPreference(io) { await timedLoop(count) { await actorClient.execute() } }
        case "final class, affine":
            return await withTaskExecutorPreference(io) { await timedLoop(count) { await classClient.execute() } }
        default: Bench.fail("unknown actor-loop mode \(mode) (one of: \(modes.joined(separator: "; ")))")
        }
    }

    @concurrent static func timedLoop(_ count: Int, _ call: () async -> Int) async -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var sum = 0
        for _ in 0..<count { sum &+= await call() }
        precondition(sum == count)
        return Bench.microseconds(clock.now - start, per: count)
    }
}

/// `QMPClient`'s shape: an actor whose `execute` is isolated to it and awaits the I/O thread.
private actor ActorClient {
    let io: StandInIOThread
    init(io: StandInIOThread) { self.io = io }
    func execute() async -> Int { await withUnsafeContinuation { io.request($0) } }
}

/// The alternative: a final class whose every stored property is a `let`, `execute` non-isolated.
private final class ClassClient: Sendable {
    let io: StandInIOThread
    init(io: StandInIOThread) { self.io = io }
    func execute() async -> Int { await withUnsafeContinuation { io.request($0) } }
}

/// A thread that answers each request at once by resuming its continuation, and runs the jobs of tasks that prefer
/// it, as the client's I/O thread does.
final class StandInIOThread: TaskExecutor, Sendable {
    private struct State {
        var jobs: [UnownedJob] = []
        var replies: [UnsafeContinuation<Int, Never>] = []
        var stopped = false
    }
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)

    init() {
        startThread { [self] in loop() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        post { $0.jobs.append(job) }
    }

    func request(_ continuation: UnsafeContinuation<Int, Never>) { post { $0.replies.append(continuation) } }

    func stop() { post { $0.stopped = true } }

    private func post(_ change: (inout State) -> Void) {
        state.withLock { change(&$0) }
        wakeUp.signal()
    }

    private func loop() {
        while true {
            wakeUp.wait()
            while true {
                let (jobs, replies, stopped) = state.withLock { state in
                    defer {
                        state.jobs.removeAll(keepingCapacity: true)
                        state.replies.removeAll(keepingCapacity: true)
                    }
                    return (state.jobs, state.replies, state.stopped)
                }
                if jobs.isEmpty && replies.isEmpty {
                    if stopped { return }
                    break
                }
                for reply in replies { reply.resume(returning: 1) }
                for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
            }
        }
    }
}
