#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import QMP
import QMPTestSupport
import Synchronization

/// What the default path's thread hop costs (issue 14): an ordinary task (on the cooperative pool) writes a byte
/// to a pipe and awaits a continuation; a plain thread blocked in `read` on that pipe resumes it. That is the
/// shape of a command from an ordinary task (the caller writes, the I/O thread wakes and resumes it), without the
/// socket and the JSON. Compared with two C threads passing a byte back and forth over pipes
/// (`Benchmarks/thread_pingpong.c`): the difference is what resuming a pool task costs over a plain thread's
/// wake-up, in user+sys CPU a round trip.
///
/// `qmpkit-bench hop [COUNT]`
enum HopBench {
    /// The continuation the plain thread resumes next.
    private static let waiting = Mutex<UnsafeContinuation<Void, Never>?>(nil)

    static func run(count: Int, reference: String) async throws {
        let work = try TemporaryDirectory(prefix: "qmpkit-hop")
        let floor = work.file("thread_pingpong")
        let compiled = try await ChildProcess.run(["gcc", "-O2", "-pthread", "-o", floor, reference])
        guard compiled.status == 0 else { Bench.fail("gcc failed on \(reference): \(compiled.standardError)") }
        let swift = swiftRoundTrip(count: count)
        let result = try await ChildProcess.run([floor, String(count)], timeout: .seconds(600))
        let c = Double(result.standardOutput.split(separator: " ").first ?? "") ?? .nan
        print("\nThread hop, user+sys CPU a round trip (\(count)): Swift task resumed from a plain thread "
            + "\(Bench.format2(swift)) µs, two C threads over pipes \(Bench.format2(c)) µs "
            + "(difference \(Bench.format2(swift - c)) µs)")
    }

    /// CPU µs a round trip: task writes, plain thread reads and resumes the task.
    static func swiftRoundTrip(count: Int) -> Double {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { Bench.fail("pipe failed") }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        startThread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 {
                let continuation = waiting.withLock { $0.take() }
                continuation?.resume()
            }
        }
        let done = DispatchSemaphore(value: 0)
        let perRoundTrip = Mutex(0.0)
        Task.detached {
            let start = Bench.cpuTime(RUSAGE_SELF)
            for _ in 0..<count {
                await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                    waiting.withLock { $0 = continuation }
                    var byte: UInt8 = 1
                    _ = write(writeEnd, &byte, 1)
                }
            }
            let elapsed = (Bench.cpuTime(RUSAGE_SELF) - start) / Double(count)
            perRoundTrip.withLock { $0 = elapsed }
            done.signal()
        }
        done.wait()
        close(writeEnd)  // the plain thread's read ends, and so does the thread
        return perRoundTrip.withLock { $0 }
    }
}
