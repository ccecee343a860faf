#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Signals received and not yet handled by the line editor, one bit per signal number (`1 << SIGINT`, ...).
/// Set by the signal handler, taken by the editor thread; atomics are async-signal-safe.
let pendingTerminalSignals = Atomic<Int>(0)

/// The descriptor the signal handler writes one byte to, so that the editor thread wakes up; -1 when no editor
/// listens.
let terminalSignalWakeDescriptor = Atomic<Int32>(-1)

/// Installs and removes the handlers for the signals the line editor handles itself (SIGINT clears the line,
/// SIGWINCH redraws for the new size, SIGCONT redraws after Ctrl-Z and `fg`). One editor per process.
enum TerminalSignals {
    static let handled: [Int32] = [SIGINT, SIGWINCH, SIGCONT]

    /// Installs the handlers; they write to `wakeDescriptor`. Returns the previous actions, for ``restore(_:)``.
    static func install(wakeDescriptor: Int32) -> [(Int32, sigaction)] {
        terminalSignalWakeDescriptor.store(wakeDescriptor, ordering: .sequentiallyConsistent)
        // A signal blocked in every thread (inherited from the parent) would never reach the handler: let the
        // editor thread, which calls this, take them.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in handled { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        var previous: [(Int32, sigaction)] = []
        for number in handled {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                let savedErrno = errno
                pendingTerminalSignals.bitwiseOr(1 << Int(signal), ordering: .sequentiallyConsistent)
                var byte: UInt8 = 0
                _ = write(terminalSignalWakeDescriptor.load(ordering: .sequentiallyConsistent), &byte, 1)
                errno = savedErrno
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(number, &action, &old)
            previous.append((number, old))
        }
        return previous
    }

    static func restore(_ previous: [(Int32, sigaction)]) {
        for (number, old) in previous {
            var old = old
            sigaction(number, &old, nil)
        }
        terminalSignalWakeDescriptor.store(-1, ordering: .sequentiallyConsistent)
    }

    /// Takes the pending signals (as bits) and clears them.
    static func take() -> Int {
        pendingTerminalSignals.exchange(0, ordering: .sequentiallyConsistent)
    }

    /// Forgets a pending signal without handling it.
    static func discard(_ number: Int32) {
        pendingTerminalSignals.bitwiseAnd(~(1 << Int(number)), ordering: .sequentiallyConsistent)
    }

    static func isPending(_ number: Int32) -> Bool {
        pendingTerminalSignals.load(ordering: .sequentiallyConsistent) & (1 << Int(number)) != 0
    }
}
