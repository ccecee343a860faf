#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Runs short actions at deadlines, on one thread for the whole process; cancelling frees an action at once.
///
/// Time limits (of calls, event waits, console waits, process waits) used to be a task per limit sleeping in
/// `Task.sleep`. A cancelled sleep keeps its memory until its deadline would have passed (about 1 KiB each), so a
/// client making thousands of calls a second with a 30 s limit held tens of megabytes of dead timers. Here a
/// cancelled deadline is removed from the table at once and its action released.
///
/// Actions run on the scheduler's thread and must be quick and must not block (resume a continuation, close a
/// socket).
package final class DeadlineScheduler: Sendable {
    package static let shared = DeadlineScheduler()

    /// Identifies a scheduled action, for ``cancel(_:)``.
    package struct Token: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        var deadline: ContinuousClock.Instant
        var action: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        /// Min-heap of (deadline, id); ids no longer in `entries` were cancelled and are skipped.
        var heap: [(ContinuousClock.Instant, UInt64)] = []
        var nextID: UInt64 = 1
        var started = false
    }

    private let state = Mutex(State())
    /// Written to wake the thread when a deadline earlier than the ones it waits for is added.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        var fds: [Int32] = [-1, -1]
        let created = pipe(&fds)
        precondition(created == 0, "pipe() failed for the deadline scheduler")
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// Runs `action` once `delay` has passed, unless cancelled first.
    package func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> Token {
        schedule(at: ContinuousClock.now + delay, action)
    }

    /// Runs `action` once `deadline` has passed, unless cancelled first.
    package func schedule(at deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> Token {
        let (id, wake, start) = state.withLock { state -> (UInt64, Bool, Bool) in
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = Entry(deadline: deadline, action: action)
            let earliest = state.heap.first?.0
            Self.push((deadline, id), into: &state.heap)
            let start = !state.started
            state.started = true
            return (id, earliest.map { deadline < $0 } ?? true, start)
        }
        if start {
            startThread { [self] in run() }
        } else if wake {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        return Token(id: id)
    }

    /// Cancels an action that has not run yet; harmless when it has.
    package func cancel(_ token: Token) {
        let removed = state.withLock { state -> Entry? in
            let removed = state.entries.removeValue(forKey: token.id)
            // Cancelled deadlines stay in the heap until they come up; rebuild it when they dominate.
            if state.heap.count > 64 && state.heap.count > 2 * state.entries.count {
                state.heap = []
                for (id, entry) in state.entries { Self.push((entry.deadline, id), into: &state.heap) }
            }
            return removed
        }
        _ = removed  // the action is released here, outside the lock
    }

    /// Number of actions scheduled and not yet run or cancelled (for tests).
    package var pendingCount: Int { state.withLock { $0.entries.count } }

    private func run() {
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            let clock = ContinuousClock()
            let (due, next) = state.withLock { state -> ([@Sendable () -> Void], ContinuousClock.Instant?) in
                var due: [@Sendable () -> Void] = []
                let now = clock.now
                while let top = state.heap.first, top.0 <= now {
                    Self.popMin(from: &state.heap)
                    if let entry = state.entries.removeValue(forKey: top.1) { due.append(entry.action) }
                }
                return (due, state.heap.first?.0)
            }
            for action in due { action() }
            var milliseconds: Int32 = -1
            if let next {
                let remaining = next - clock.now
                let (seconds, attoseconds) = remaining.components
                // Round up so the thread never wakes just before a deadline and spins.
                let total = max(0, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
                milliseconds = Int32(clamping: total)
            }
            var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, milliseconds)
            while read(wakeRead, &drain, drain.count) > 0 {}
        }
    }

    // MARK: - Binary heap ordered by deadline

    private static func push(_ element: (ContinuousClock.Instant, UInt64), into heap: inout [(ContinuousClock.Instant, UInt64)]) {
        heap.append(element)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].0 < heap[parent].0 else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popMin(from heap: inout [(ContinuousClock.Instant, UInt64)]) {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].0 < heap[smallest].0 { smallest = left }
            if right < heap.count && heap[right].0 < heap[smallest].0 { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
