#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPGenerated
import QMPTestSupport
import QMPWire

/// `qmpkit-bench typed [COUNT] [ROUNDS]`: what a generated typed call costs over a raw one (issue 18: at most 2 µs).
///
/// The same command, `query-status`, three ways on one connection: raw (`client.execute("query-status")`, a `JSON`
/// reply), generated (`client.execute(QAPI.QueryStatus())`, a `QAPI.StatusInfo` reply) and hand-written
/// (`client.execute(QueryStatus())`, `Codable`). It measures
/// - the client's CPU per call against the instantly answering fake server, which runs in a process of its own
///   (`getrusage`, so other processes on the machine do not count), best of ROUNDS interleaved rounds;
/// - the wall time per call against a real QEMU (`qemu-system-x86_64` or `QMPKIT_QEMU`), median of ROUNDS
///   interleaved rounds;
/// - the CPU of the typed layer alone, without I/O: encoding the arguments and decoding a recorded reply.
enum TypedBench {
    static func run(count: Int, rounds: Int) async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-typed")
        let path = directory.file("fake.sock")
        let listener = try ListeningSocket(path: path)
        let server = Task {
            try await ChildProcess.run(
                [CommandLine.arguments[0], "serve-fake", "fd:3"], inheriting: [(listener.fileDescriptor, 3)],
                timeout: .seconds(600))
        }
        let fake = try await QMPClient.connect(to: .unix(path: path))
        let fakeFigures = try await measure(fake, count: count, rounds: rounds, clock: .cpu)
        await fake.close()
        listener.shutdown()
        _ = try await server.value
        print("CPU per call against the fake server (best of \(rounds) rounds of \(count) calls):")
        report(fakeFigures)

        let qemu = try QEMUProcess.launch()
        let client = try await qemu.connect()
        let qemuFigures = try await measure(client, count: count, rounds: rounds, clock: .wall)
        await client.close()
        print("Wall time per call against QEMU \(client.greeting.version) (median of \(rounds) rounds of \(count) calls):")
        report(qemuFigures)

        let layer = try typedLayerOnly(count: count * 10)
        print("Typed layer alone, no I/O (\(count * 10) calls): encode arguments + decode reply "
            + "\(format(layer.typed)) µs generated, \(format(layer.handWritten)) µs hand-written, "
            + "\(format(layer.raw)) µs raw (JSON as it is)")
    }

    enum Clock { case cpu, wall }

    /// Per-call figures in µs: raw, generated typed, hand-written typed.
    struct Figures {
        var raw: Double
        var typed: Double
        var handWritten: Double
    }

    static func report(_ figures: Figures) {
        print("  raw          \(format(figures.raw)) µs")
        print("  generated    \(format(figures.typed)) µs  (\(signed(figures.typed - figures.raw)) µs over raw)")
        print("  hand-written \(format(figures.handWritten)) µs  (\(signed(figures.handWritten - figures.raw)) µs over raw)")
    }

    static func measure(_ client: QMPClient, count: Int, rounds: Int, clock: Clock) async throws -> Figures {
        // Warm up every path first.
        for _ in 0..<min(count, 500) {
            _ = try await client.execute("query-status")
            _ = try await client.execute(QAPI.QueryStatus())
            _ = try await client.execute(QueryStatus())
        }
        var raw: [Double] = [], typed: [Double] = [], handWritten: [Double] = []
        for _ in 0..<rounds {
            raw.append(try await timed(clock, count) { _ = try await client.execute("query-status") })
            typed.append(try await timed(clock, count) { _ = try await client.execute(QAPI.QueryStatus()) })
            handWritten.append(try await timed(clock, count) { _ = try await client.execute(QueryStatus()) })
        }
        func pick(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return clock == .cpu ? sorted[0] : sorted[sorted.count / 2]
        }
        return Figures(raw: pick(raw), typed: pick(typed), handWritten: pick(handWritten))
    }

    /// µs per call of `count` calls of `body`.
    static func timed(_ clock: Clock, _ count: Int, _ body: () async throws -> Void) async throws -> Double {
        switch clock {
        case .cpu:
            let before = Bench.cpuTime(RUSAGE_SELF)
            for _ in 0..<count { try await body() }
            return (Bench.cpuTime(RUSAGE_SELF) - before) / Double(count)
        case .wall:
            let start = ContinuousClock.now
            for _ in 0..<count { try await body() }
            let elapsed = ContinuousClock.now - start
            let micro = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
            return micro / Double(count)
        }
    }

    /// The typed layer's own CPU per call: what `execute` does besides the round trip, for each way.
    static func typedLayerOnly(count: Int) throws -> Figures {
        let reply = try JSON(parsing: #"{"status":"running","singlestep":false,"running":true}"#)
        func cpu(_ body: () throws -> Void) rethrows -> Double {
            let before = Bench.cpuTime(RUSAGE_SELF)
            for _ in 0..<count { try body() }
            return (Bench.cpuTime(RUSAGE_SELF) - before) / Double(count)
        }
        var sink = 0
        let raw = cpu { sink &+= reply.objectValue?.count ?? 0 }
        let typed = try cpu {
            let command = QAPI.QueryStatus()
            sink &+= JSON.object(command.arguments).objectValue?.count ?? 0
            let status = try JSONValueDecoder().decode(QAPI.StatusInfo.self, from: reply)
            sink &+= status.running == true ? 1 : 0
        }
        let handWritten = try cpu {
            sink &+= try JSONValueEncoder().encode(QueryStatus()).objectValue?.count ?? 0
            let status = try JSONValueDecoder().decode(StatusInfo.self, from: reply)
            sink &+= status.running ? 1 : 0
        }
        if sink == -1 { print(sink) }  // keeps the work from being optimized away
        return Figures(raw: raw, typed: typed, handWritten: handWritten)
    }

    static func signed(_ value: Double) -> String { (value < 0 ? "" : "+") + format(value) }

    static func format(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return String(scaled)
    }
}
