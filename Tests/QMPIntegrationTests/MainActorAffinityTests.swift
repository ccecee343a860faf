#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPTestSupport
import QMPWire
import Testing

/// `withAffinity` from `@MainActor` code (issue 14): a closure formed there used to stay isolated to the main actor,
/// so every command paid the pool wake-up again (hop 13–17 µs → 72–97 µs) without a word.
@Suite(.timeLimit(.minutes(1))) struct MainActorAffinityTests {
    /// The thread a loop of commands inside `withAffinity` resumes on, from non-isolated code (the I/O thread) and
    /// from `@MainActor` code: the two must be the same thread.
    @Test @MainActor func aClosureFormedOnTheMainActorRunsOnTheIOThread() async throws {
        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let ioThread = try await Self.affineThread(client)
        // Formed here, in @MainActor code, as in a top-level main.swift. `withAffinity` takes a `@concurrent` closure
        // and runs in its caller's isolation: before, a closure capturing `client` could not even be passed from
        // here ("sending ... risks causing data races"), and top-level code lost the affine path without a word.
        let threads = try await client.withAffinity { @concurrent in
            var threads: Set<UInt> = []
            for _ in 0..<20 {
                _ = try await client.execute("query-status")
                threads.insert(UInt(pthread_self()))
            }
            return threads
        }
        #expect(threads == [ioThread], "the loop resumed on \(threads.count) thread(s), not only the I/O thread")
        await client.close()
    }

    /// The same loop from non-isolated code: where the I/O thread is.
    nonisolated static func affineThread(_ client: QMPClient) async throws -> UInt {
        try await client.withAffinity {
            _ = try await client.execute("query-status")
            return UInt(pthread_self())
        }
    }
}
