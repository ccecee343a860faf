#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMP
import QMPTestSupport
import QMPWire

/// `qmpkit-bench migration [ROUNDS]`: live migration of the test guest (256 MiB) over a Unix socket, driven by
/// qmpkit (``Migration`` with its progress polling) and by a bare python QMP client (`migrate`, then wait for the
/// MIGRATION event), idle and with a loop dirtying 32 MiB in the guest; then a fast start from a saved state
/// against a cold boot.
///
/// The guest hops from QEMU to QEMU (A → B by qmpkit, B → C by python, ...), so it boots once per mode. Every
/// QEMU has a second QMP monitor for the python client.
enum MigrationBench {
    struct Hop {
        var wall: Double
        var totalTime: Double
        var downtime: Double
    }

    static func run(guestDirectory: String, rounds: Int) async throws {
        var machine = MachineConfiguration()
        machine.accelerator = .tcg
        machine.kernel = guestDirectory + "/vmlinux"
        machine.initrd = guestDirectory + "/initrd.gz"
        machine.append = "console=ttyS0 quiet qmpkit.noecho"
        var options = Guest.Options()
        options.powerdownTimeout = .zero
        let work = try TemporaryDirectory(prefix: "qmpkit-bench-migrate")
        defer { work.remove() }
        print("| migration of the test guest (256 MiB, TCG, unix socket) | qmpkit wall | python wall | qmpkit / python | QEMU total-time (qmpkit / python) | downtime (qmpkit / python) |")
        print("|---|---:|---:|---:|---:|---:|")
        for dirty in [false, true] {
            let (ours, theirs) = try await hops(machine: machine, options: options, dirty: dirty, rounds: rounds, work: work)
            let ourWall = GuestBench.median(ours.map(\.wall)), theirWall = GuestBench.median(theirs.map(\.wall))
            print("| \(dirty ? "dirtying 32 MiB in a loop" : "idle"), median of \(rounds) | \(format(ourWall)) ms | \(format(theirWall)) ms | "
                + "\(format(ourWall / theirWall, digits: 3))× | \(format(GuestBench.median(ours.map(\.totalTime)))) / \(format(GuestBench.median(theirs.map(\.totalTime)))) ms | "
                + "\(format(GuestBench.median(ours.map(\.downtime)))) / \(format(GuestBench.median(theirs.map(\.downtime)))) ms |")
        }
        try await fastStart(machine: machine, options: options, rounds: rounds, work: work)
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        var factor = 1.0
        for _ in 0..<digits { factor *= 10 }
        let scaled = (value * factor).rounded() / factor
        return "\(scaled)"
    }

    /// A QEMU with a second QMP monitor at `path` (for the python client).
    static func withSecondMonitor(_ machine: MachineConfiguration, _ path: String) -> MachineConfiguration {
        var machine = machine
        machine.extraArguments += ["-qmp", "unix:\(path),server=on,wait=off"]
        return machine
    }

    static let verbose = getenv("QMPKIT_BENCH_VERBOSE") != nil

    static func hops(
        machine: MachineConfiguration, options: Guest.Options, dirty: Bool, rounds: Int, work: TemporaryDirectory
    ) async throws -> (ours: [Hop], theirs: [Hop]) {
        var counter = 0
        func nextMonitor() -> String {
            counter += 1
            return work.file("py\(dirty ? "d" : "i")\(counter).sock")
        }
        var monitor = nextMonitor()
        var source = try await Guest.launch(withSecondMonitor(machine, monitor), options: options)
        try await source.console.expect("guest# ", timeout: .seconds(180))
        if dirty {
            try source.console.send("(while true; do dd if=/dev/urandom of=/tmp/dirty bs=1M count=32 2>/dev/null; done) &\n")
            _ = try await source.console.expect("guest# ", timeout: .seconds(30))
        }
        var ours: [Hop] = []
        var theirs: [Hop] = []
        for hop in 0..<(2 * rounds) {
            let nextPath = nextMonitor()
            let destination = try await Guest.launchIncoming(withSecondMonitor(machine, nextPath), options: options)
            let uri = "unix:" + work.file("m\(dirty ? "d" : "i")\(hop).sock")
            let cursor = try await Migration.prepareIncoming(on: destination.client, uri: uri)
            let clock = ContinuousClock()
            if hop % 2 == 0 {
                let start = clock.now
                let migration = try await Migration.start(to: uri, on: source.client)
                let sent = clock.now
                var reports = 0
                for try await _ in migration.progress() { reports += 1 }
                let info = try await migration.waitForCompletion(timeout: .seconds(600))
                let wall = GuestBench.milliseconds(clock.now - start)
                if verbose {
                    print("hop \(hop): start (capabilities + migrate) \(GuestBench.milliseconds(sent - start)) ms, \(reports) reports, "
                        + "wall \(wall) ms, QEMU total-time \(info.totalTime ?? -1) ms")
                }
                ours.append(Hop(wall: wall, totalTime: Double(info.totalTime ?? 0), downtime: Double(info.downtime ?? 0)))
            } else {
                let result = try await Subprocess.run(["python3", "Benchmarks/pymigrate.py", monitor, uri], timeout: .seconds(600))
                guard result.termination.isSuccess, let line = try? JSON(parsing: result.standardOutput), line["status"] == "completed" else {
                    throw TestSupportError("pymigrate.py: \(result.standardOutput) \(result.standardError)")
                }
                theirs.append(Hop(
                    wall: line["wall_ms"]?.doubleValue ?? 0, totalTime: line["total_time_ms"]?.doubleValue ?? 0,
                    downtime: line["downtime_ms"]?.doubleValue ?? 0))
            }
            try await Migration.waitForIncoming(on: destination.client, since: cursor, timeout: .seconds(120))
            await source.shutdown()
            source = destination
            monitor = nextPath
        }
        await source.shutdown()
        return (ours, theirs)
    }

    /// Cold boot to a shell that answers, against a start from a saved state to a shell that answers.
    static func fastStart(machine: MachineConfiguration, options: Guest.Options, rounds: Int, work: TemporaryDirectory) async throws {
        let clock = ContinuousClock()
        let state = work.file("guest.state")
        var cold: [Double] = []
        var restored: [Double] = []
        for round in 0..<rounds {
            let start = clock.now
            let guest = try await Guest.launch(machine, options: options)
            try await guest.console.expect("guest# ", timeout: .seconds(180))
            try guest.console.send("echo up\n")
            _ = try await guest.console.expect("guest# ", timeout: .seconds(30))
            cold.append(GuestBench.milliseconds(clock.now - start))
            if round == 0 { try await guest.saveState(to: state) }
            await guest.shutdown()
        }
        for _ in 0..<rounds {
            let start = clock.now
            let guest = try await Guest.launch(machine, restoring: state, options: options)
            try guest.console.send("echo up\n")
            _ = try await guest.console.expect("guest# ", timeout: .seconds(30))
            restored.append(GuestBench.milliseconds(clock.now - start))
            await guest.shutdown()
        }
        print("")
        print("| start of the test guest to a shell that answers (median of \(rounds)) | time |")
        print("|---|---:|")
        print("| cold boot (PVH vmlinux, TCG) | \(format(GuestBench.median(cold))) ms |")
        print("| `Guest.launch(restoring:)` / `qmpsh boot --from-snapshot` from a saved state | \(format(GuestBench.median(restored))) ms |")
    }
}
