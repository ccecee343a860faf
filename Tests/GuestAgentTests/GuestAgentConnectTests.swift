#if canImport(Glibc)
import Glibc
#endif
import GuestAgent
import QMP
import QMPTestSupport
import QMPWire
import Synchronization
import Testing

/// Issue 14 item 2, carried over from session 4: the agent client that connects without synchronising
/// (`GuestAgentClient.open`) used a blocking `connect` with no limit. An agent socket whose listen queue is full
/// (QEMU stopped, or busy) held the caller's thread until the queue moved, for ever if it never did.
@Suite(.timeLimit(.minutes(1))) struct GuestAgentConnectTests {
    @Test func openingAnAgentWhoseListenQueueIsFullEndsWithinItsLimit() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-qga-backlog")
        // Backlog 0: the kernel queues one connection and never more, and nothing accepts.
        let listener = try ListeningSocket(path: directory.file("qga.sock"), backlog: 0)
        let occupant = try SocketConnection.connect(to: .unix(path: listener.path))
        var configuration = GuestAgentClient.Configuration()
        configuration.defaultTimeout = .seconds(1)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await Self.outcome(within: .seconds(6)) { [configuration] in
            _ = try await GuestAgentClient.connect(
                to: .unix(path: listener.path), configuration: configuration, synchronizes: false)
        }
        let took = clock.now - start
        #expect(outcome.contains("within"), "\(outcome)")
        #expect(outcome.contains("does not accept connections"), "\(outcome)")
        #expect(took < .seconds(4), "opening took \(took): \(outcome)")
        withExtendedLifetime((listener, occupant)) {}
    }

    /// What `body` ended with (`"done"` or the error's text), or a note that it was still running after `limit`.
    /// `body` runs in a task of its own, so a call that blocks its thread cannot hold this one.
    static func outcome(within limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> String {
        let once = Mutex<UnsafeContinuation<String, Never>?>(nil)
        let finish: @Sendable (String) -> Void = { text in once.withLock { $0.take() }?.resume(returning: text) }
        return await withUnsafeContinuation { continuation in
            once.withLock { $0 = continuation }
            Task.detached {
                do {
                    try await body()
                    finish("done")
                } catch {
                    finish("\(error)")
                }
            }
            Task.detached {
                try? await Task.sleep(for: limit)
                finish("still running after \(limit)")
            }
        }
    }
}
