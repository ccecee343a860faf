@testable import QMP
import QMPTestSupport
import QMPWire
import Testing

/// Every call's time limit is enforced by one watchdog per connection (`CallWatchdog`) instead of a scheduled timer
/// per call: a call answered in time schedules nothing, and a limit still ends its call on time whatever the other
/// pending calls' limits are.
@Suite(.timeLimit(.minutes(1))) struct CallDeadlineTests {
    /// A call with a short limit sent after one with a long limit (the watchdog then armed for the long one) must
    /// still end at its own deadline, and the long one at its own.
    @Test func aShortLimitAfterALongOneEndsOnTime() async throws {
        let server = try FakeQMPServer { peer in
            try peer.negotiate()
            while try peer.receive(timeout: .seconds(20)) != nil {}  // reads everything, answers nothing
        }
        let client = try await QMPClient.connect(to: server.address)
        let clock = ContinuousClock()
        let start = clock.now
        async let long: Duration = Self.timeOut(client, "long-one", after: .seconds(3), from: start)
        try await Task.sleep(for: .milliseconds(50))  // lets the long call register first
        let short = try await Self.timeOut(client, "short-one", after: .milliseconds(300), from: start)
        #expect(short >= .milliseconds(300) && short < .seconds(2), "the 0.3 s call ended after \(short)")
        let longElapsed = try await long
        #expect(longElapsed >= .seconds(3) && longElapsed < .seconds(6), "the 3 s call ended after \(longElapsed)")
        await client.close()
        _ = await server.finished()
    }

    /// Runs `name` with `limit` against a peer that never answers; returns when it timed out, from `start`.
    static func timeOut(_ client: QMPClient, _ name: String, after limit: Duration, from start: ContinuousClock.Instant)
        async throws -> Duration
    {
        do {
            _ = try await client.execute(name, timeout: limit)
            Issue.record("\(name) got an answer from a peer that never answers")
        } catch let error as QMPTimeoutError {
            #expect(error.operation == name && error.timeout == limit, "\(error)")
        }
        return ContinuousClock.now - start
    }

    /// 2 000 calls with a 30 s limit, each answered at once, arm the watchdog once (not 2 000 timers scheduled and
    /// cancelled), and none of them is left pending.
    @Test func callsAnsweredInTimeArmOneWatchdog() async throws {
        let server = try FakeQMPServer.standard()
        let client = try await QMPClient.connect(to: server.address)
        let before = client.core.state.withLock { $0.watchdog.armings }
        for _ in 0..<2000 { _ = try await client.execute("query-status", timeout: .seconds(30)) }
        let armed = client.core.state.withLock { $0.watchdog.armings } - before
        #expect(armed <= 1, "2000 calls armed the watchdog \(armed) times")
        #expect(client.pendingCallCount == 0)
        await client.close()
        _ = await server.finished()
    }
}
