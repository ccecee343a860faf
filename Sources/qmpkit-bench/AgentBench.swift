#if canImport(Glibc)
import Glibc
#endif
import GuestAgent
import QMP

/// `qmpkit-bench agent SOCKET [COUNT]`: the guest agent client on a running guest's agent socket (for instance
/// `qmpsh boot --agent --detach`): connect-plus-sync times and `guest-ping` round trips, as medians. Compare with
/// scripts/agent-bench-peer.py (a raw Python socket client doing the same sync preamble) on the same guest.
enum AgentBench {
    static func run(socket: String, count: Int) async throws {
        let clock = ContinuousClock()
        var connects: [Duration] = []
        for _ in 0..<50 {
            let start = clock.now
            let client = try await GuestAgentClient.connect(to: .unix(path: socket))
            connects.append(clock.now - start)
            await client.close()
        }
        let client = try await GuestAgentClient.connect(to: .unix(path: socket))
        for _ in 0..<200 { try await client.ping() }
        var pings: [Duration] = []
        pings.reserveCapacity(count)
        for _ in 0..<count {
            let start = clock.now
            try await client.ping()
            pings.append(clock.now - start)
        }
        let statistics = client.statistics
        await client.close()
        print("connect+sync: median \(micro(median(connects))) µs, p90 \(micro(percentile(connects, 0.9))) µs (50 connects)")
        print("guest-ping:   median \(micro(median(pings))) µs, p90 \(micro(percentile(pings, 0.9))) µs (\(count) pings)")
        print("stale replies discarded: \(statistics.staleReplies), stray parse errors skipped: \(statistics.strayParseErrors)")
    }

    private static func median(_ values: [Duration]) -> Duration { percentile(values, 0.5) }

    private static func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    private static func micro(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000)
    }
}
