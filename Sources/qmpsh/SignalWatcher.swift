#if canImport(Glibc)
import Glibc
#endif
import QMP

/// The write end of the self-pipe the signal handler writes to.
///
/// `nonisolated(unsafe)`: written once in `SignalWatcher.init`, before the handler is installed, and only read
/// afterwards (by the handler, which may run on any thread); an `Int32` store is atomic on every platform Swift runs on.
nonisolated(unsafe) private var signalPipeWriter: Int32 = -1

/// Turns SIGINT/SIGTERM into an async stream, with the self-pipe trick: the handler writes the signal number to a
/// pipe, and a thread of its own reads it. While it exists the signals no longer end the process.
final class SignalWatcher {
    /// One element per signal received.
    let signals: AsyncStream<Int32>

    init(_ numbers: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        signals = stream
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        let reader = ends[0]
        signalPipeWriter = ends[1]
        for number in numbers {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                var byte = UInt8(truncatingIfNeeded: signal)
                _ = write(signalPipeWriter, &byte, 1)
            }
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
        startThread {
            var byte: UInt8 = 0
            while read(reader, &byte, 1) == 1 { continuation.yield(Int32(byte)) }
        }
    }
}
