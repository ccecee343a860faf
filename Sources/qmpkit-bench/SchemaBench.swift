import QMP
import QMPTestSupport

/// `qmpkit-bench schema [COUNT] [ROUNDS]`: only the live-schema figures of the full run (issue 14), quicker to
/// repeat: `query-qmp-schema` sequentially from qmpkit (affine and from an ordinary task) and from the C floor
/// (`Benchmarks/floor_command.c`), interleaved round by round on one QEMU, best of `rounds`; and
/// `QAPISchema.fetch` (fetch + parse + model + index).
enum SchemaBench {
    static func run(count: Int, rounds: Int) async throws {
        let work = try TemporaryDirectory(prefix: "qmpkit-bench")
        let floorCommand = work.file("floor_command")
        try await Bench.compile(Bench.packageFile("Benchmarks/floor_command.c"), to: floorCommand)
        let qemu = try QEMUProcess.launch()
        defer { qemu.kill() }
        var best: [String: Double] = [:]
        func record(_ key: String, _ value: Double?) {
            guard let value else { return }
            best[key] = min(best[key] ?? .infinity, value)
        }
        for round in 1...rounds {
            Bench.log("schema round \(round)")
            record("c", try await Bench.external([floorCommand, qemu.monitorPath, String(count), "query-qmp-schema"]))
            record("affine", try await Bench.qmpkitSequential(qemu.monitorAddress, count: count, command: "query-qmp-schema", affine: true))
            record("default", try await Bench.qmpkitSequential(qemu.monitorAddress, count: count, command: "query-qmp-schema"))
            record("model", try await GuestBench.schemaFetch(qemu.monitorAddress, count: max(1, count / 4)))
        }
        guard let floor = best["c"] else { Bench.fail("the C floor client failed") }
        print("query-qmp-schema, sequential (\(count), best of \(rounds)): C floor \(Bench.format1(floor)) µs")
        for (key, label) in [("affine", "qmpkit, affine"), ("default", "qmpkit, default"), ("model", "QAPISchema.fetch (fetch + parse + model + index)")] {
            if let value = best[key] {
                print("  \(label): \(Bench.format1(value)) µs = \(Bench.format2(value / floor))× the floor")
            }
        }
    }
}
