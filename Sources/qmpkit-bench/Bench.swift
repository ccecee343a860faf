#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import QMP
import QMPTestSupport

/// Compares qmpkit with the C floor client and python `qemu.qmp` on one QEMU, in one run, and prints ratios.
///
/// usage: qmpkit-bench [--count N] [--schema-count N] [--rounds N] [--reference DIR] [--markdown]
///        qmpkit-bench shell [ROUNDS]          (only the shell's start-to-prompt time)
///        qmpkit-bench agent SOCKET [COUNT]   (the guest agent client: connect+sync and guest-ping)
///        qmpkit-bench migration [ROUNDS]      (live migration and fast start, see MigrationBench)
///        qmpkit-bench typed [COUNT] [ROUNDS]  (a generated typed call against a raw one, see TypedBench)
///        qmpkit-bench serve-fake SOCKET      (internal: an instantly answering fake server, for CPU figures)
///        qmpkit-bench json [ROUNDS]          (40 000-key object vs JSONSerialization; 100 000-deep nesting)
///        qmpkit-bench schema [COUNT] [ROUNDS]  (only the live-schema figures, see SchemaBench)
///        qmpkit-bench callgrind [COUNT]      (client instructions a command vs the C floor; needs valgrind)
///        qmpkit-bench actor [COUNT]          (the actor-or-not prototype, µs a call)
///        qmpkit-bench cpu [COUNT]            (client user+sys CPU a command vs the C floor, fake server)
///        qmpkit-bench hop [COUNT]            (what resuming a pool task from a plain thread costs vs C threads)
///        qmpkit-bench libvirt [COUNT] [ROUNDS]   (libvirt:DOMAIN vs a C virDomainQemuMonitorCommand loop; each a fresh
///                                                 process, ROUNDS (default 9) interleaved, order rotated)
///        qmpkit-bench cpu-loop SOCKET affine|default COUNT, actor-loop MODE COUNT   (internal, for callgrind)
///        qmpkit-bench script-loop SOCKET COUNT [validate] [no-writer] [time]   (internal: qmpsh run's per-line work, for callgrind)
///        qmpkit-bench libvirt-loop URI DOMAIN affine|default COUNT   (only qmpkit's libvirt loop, for strace/perf)
@main
enum Bench {
    /// The loops callgrind runs (`cpu-loop`, `actor-loop`) run on a detached task while the main thread waits on a
    /// semaphore: valgrind 3.19 crashes as soon as the main thread parks in libdispatch's main loop (its
    /// `sigsuspend`), which is where an async `main` parks it. Everything else runs on the main actor, as an async
    /// `main` would.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "cpu-loop" || arguments.first == "actor-loop" || arguments.first == "libvirt-loop"
            || arguments.first == "script-loop"
        {
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                do { try await asyncMain(arguments) } catch { fail("\(error)") }
                done.signal()
            }
            done.wait()
            exit(0)
        }
        Task { @MainActor in
            do { try await asyncMain(arguments) } catch { fail("\(error)") }
            exit(0)
        }
        dispatchMain()
    }

    static func asyncMain(_ arguments: [String]) async throws {
        var arguments = arguments
        if arguments.first == "shell" {
            try await ShellBench.run(rounds: Int(arguments.dropFirst().first ?? "") ?? 20)
            return
        }
        if arguments.first == "agent", arguments.count >= 2 {  // issue 16: the guest agent client
            try await AgentBench.run(socket: arguments[1], count: Int(arguments.dropFirst(2).first ?? "") ?? 2000)
            return
        }
        if arguments.first == "migration" {  // issue 17
            let guestDirectory = Options().guestDirectory
            try await MigrationBench.run(guestDirectory: guestDirectory, rounds: Int(arguments.dropFirst().first ?? "") ?? 3)
            return
        }
        if arguments.first == "typed" { try await TypedBench.run(count: Int(arguments.dropFirst().first ?? "") ?? 5000, rounds: Int(arguments.dropFirst(2).first ?? "") ?? 5); return }  // issue 18
        if arguments.first == "json" {  // issue 14
            try JSONBench.run(rounds: Int(arguments.dropFirst().first ?? "") ?? 10)
            return
        }
        if arguments.first == "schema" {  // issue 14: only the live-schema figures
            try await SchemaBench.run(
                count: Int(arguments.dropFirst().first ?? "") ?? 200, rounds: Int(arguments.dropFirst(2).first ?? "") ?? 3)
            return
        }
        if arguments.first == "callgrind" {  // issue 14
            let work = try TemporaryDirectory(prefix: "qmpkit-bench")
            let floor = work.file("rawqmp")
            try await compile(Options().referenceDirectory + "/rawqmp.c", to: floor)
            try await CallgrindBench.run(count: Int(arguments.dropFirst().first ?? "") ?? 2000, floor: floor)
            return
        }
        if arguments.first == "libvirt" {  // issue 14
            try await LibvirtBench.run(
                count: Int(arguments.dropFirst().first ?? "") ?? 2000,
                rounds: Int(arguments.dropFirst(2).first ?? "") ?? LibvirtBench.defaultRounds)
            return
        }
        if arguments.first == "cpu" {  // issue 14: user+sys CPU a command, as in the full run
            let work = try TemporaryDirectory(prefix: "qmpkit-bench")
            let floor = work.file("rawqmp")
            try await compile(Options().referenceDirectory + "/rawqmp.c", to: floor)
            let cpu = try await cpuPerCommand(count: Int(arguments.dropFirst().first ?? "") ?? 20_000, floor: floor)
            printCPU(cpu)
            return
        }
        if arguments.first == "hop" {  // issue 14: the default path's pool wake-up, measured alone
            try await HopBench.run(
                count: Int(arguments.dropFirst().first ?? "") ?? 100_000,
                reference: packageFile("Benchmarks/thread_pingpong.c"))
            return
        }
        if arguments.first == "actor" {  // issue 14
            await ActorBench.run(count: Int(arguments.dropFirst().first ?? "") ?? 200_000)
            return
        }
        if arguments.first == "cpu-loop", arguments.count == 4, let count = Int(arguments[3]) {
            try await CallgrindBench.loop(socket: arguments[1], mode: arguments[2], count: count)
        }
        if arguments.first == "script-loop", arguments.count >= 3, let count = Int(arguments[2]) {  // session 6
            try await ScriptLoopBench.loop(socket: arguments[1], count: count, options: Array(arguments.dropFirst(3)))
        }
        if arguments.first == "actor-loop", arguments.count == 3, let count = Int(arguments[2]) {
            await ActorBench.loop(mode: arguments[1], count: count)
        }
        if arguments.first == "libvirt-loop", arguments.count == 5, let count = Int(arguments[4]) {
            try await LibvirtBench.loop(uri: arguments[1], domain: arguments[2], mode: arguments[3], count: count)
            return
        }
        if arguments.first == "serve-fake", arguments.count == 2 {
            try await serveFake(path: arguments[1])
            return
        }
        var options = Options()
        while !arguments.isEmpty {
            let flag = arguments.removeFirst()
            func value() -> String {
                guard !arguments.isEmpty else { fail("\(flag) needs a value") }
                return arguments.removeFirst()
            }
            switch flag {
            case "--count": options.count = Int(value()) ?? options.count
            case "--schema-count": options.schemaCount = Int(value()) ?? options.schemaCount
            case "--script-count": options.scriptCount = Int(value()) ?? options.scriptCount
            case "--rounds": options.rounds = Int(value()) ?? options.rounds
            case "--reference": options.referenceDirectory = value()
            case "--markdown": options.markdown = true
            case "--skip-guest": options.guest = false
            case "--scripts-only": options.scriptsOnly = true
            case "--guest-dir": options.guestDirectory = value()
            default: fail("unknown option \(flag)")
            }
        }
        try await run(options)
    }

    struct Options {
        var count = 20_000
        var schemaCount = 200
        var scriptCount = 2000
        var rounds = 3
        var referenceDirectory = "../shared/bench"
        var markdown = false
        var guest = true
        /// Only the script runner figures (quick check).
        var scriptsOnly = false
        var guestDirectory = (getenv("QMPKIT_GUEST_DIR").map { String(cString: $0) })
            ?? ((getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest")
    }

    static func fail(_ message: String) -> Never {
        writeError("qmpkit-bench: \(message)\n")
        exit(2)
    }

    // MARK: - The run

    static func run(_ options: Options) async throws {
        let work = try TemporaryDirectory(prefix: "qmpkit-bench")
        let floor = work.file("rawqmp")
        let floorCommand = work.file("floor_command")
        try await compile(options.referenceDirectory + "/rawqmp.c", to: floor)
        try await compile(packageFile("Benchmarks/floor_command.c"), to: floorCommand)
        let pythonScript = options.referenceDirectory + "/pyqmp_bench.py"
        let pythonCommandScript = packageFile("Benchmarks/pyqmp_command.py")
        let python = try await ChildProcess.run(["python3", "-c", "import qemu.qmp"]).status == 0
        if !python { log("python qemu.qmp is not installed (pip install qemu.qmp): its column is left out") }

        let qemu = try QEMUProcess.launch()
        let socket = qemu.monitorPath
        let version = try await QMPClient.withConnection(to: qemu.monitorAddress) { $0.greeting.version }
        log("QEMU \(version) -machine none; \(options.rounds) rounds, best of each; \(options.count) query-status, \(options.schemaCount) query-qmp-schema")

        if options.scriptsOnly {
            try await scriptFigures(socket: socket, floor: floor, options: options)
            qemu.kill()
            return
        }
        var results: [String: [Double]] = [:]
        func record(_ key: String, _ value: Double?) {
            guard let value else { return }
            results[key, default: []].append(value)
        }
        for round in 1...options.rounds {
            log("round \(round)")
            record("c.seq", try await external([floor, socket, String(options.count)]))
            record("c2.seq", try await external([floor + "-two-thread", socket, String(options.count)]))
            record("swift.seq", try await qmpkitSequential(qemu.monitorAddress, count: options.count, command: "query-status"))
            record("swift.seq.affine", try await qmpkitSequential(qemu.monitorAddress, count: options.count, command: "query-status", affine: true))
            record("c.pipe", try await external([floor, socket, String(options.count), "p"]))
            record("swift.pipe", try await qmpkitInFlight(qemu.monitorAddress, count: options.count, window: 64))
            record("swift.pipe.affine", try await qmpkitInFlight(qemu.monitorAddress, count: options.count, window: 64, affine: true))
            record("c.schema", try await external([floorCommand, socket, String(options.schemaCount), "query-qmp-schema"]))
            record("swift.schema", try await qmpkitSequential(qemu.monitorAddress, count: options.schemaCount, command: "query-qmp-schema"))
            record("swift.schema.affine", try await qmpkitSequential(qemu.monitorAddress, count: options.schemaCount, command: "query-qmp-schema", affine: true))
            record("schema.model", try await GuestBench.schemaFetch(qemu.monitorAddress, count: max(1, options.schemaCount / 4)))
            if python {
                record("py.seq", try await external(["python3", pythonScript, socket, String(options.count), "async"]))
                record("py.legacy", try await external(["python3", pythonScript, socket, String(options.count), "legacy"]))
                record("py.pipe", try await external(["python3", pythonScript, socket, String(options.count), "async-concurrent"]))
                record("py.schema", try await external(["python3", pythonCommandScript, socket, String(options.schemaCount), "query-qmp-schema"]))
            }
        }
        let best = results.mapValues { $0.min()! }

        log("client CPU per command against an instantly answering fake server")
        let cpu = try await cpuPerCommand(count: options.count, floor: floor)

        printReport(best: best, cpu: cpu, options: options, version: version, python: python)

        try await scriptFigures(socket: socket, floor: floor, options: options)
        qemu.kill()
        if let model = best["schema.model"], let floor = best["c.schema"] {
            print("\nLive schema, fetch + parse + model + index (QAPISchema.fetch): \(format1(model)) µs = "
                + "\(format2(model / floor))× the C floor receiving query-qmp-schema")
        }
        try await ShellBench.run(rounds: 20)
        // Issue 14: JSON, callgrind instructions and libvirt, in the same run.
        print("")
        try JSONBench.run(rounds: 10)
        if try await ChildProcess.run(["valgrind", "--version"]).status == 0 {
            try await CallgrindBench.run(count: 2000, floor: floor)
        } else {
            log("valgrind is not installed (apt-get install valgrind): callgrind figures left out")
        }
        if let libvirt = try await LibvirtBench.measure(count: 2000, rounds: max(options.rounds, LibvirtBench.defaultRounds)) {
            LibvirtBench.report(libvirt, count: 2000)
        }
        if options.guest {
            log("guest runner figures")
            let overhead = try await GuestBench.runnerOverhead(rounds: 5)
            print("\nRunner, launch → QMP ready (median of 5, -M pc -accel tcg): bare QEMU \(format1(overhead.bare)) ms, "
                + "Guest.launch \(format1(overhead.runner)) ms, overhead \(format1(overhead.runner - overhead.bare)) ms")
            if let guest = try await GuestBench.guestFigures(guestDirectory: options.guestDirectory, rounds: 3) {
                print("Test guest under TCG (median of 3): boot → QMPKIT-GUEST-READY \(format1(guest.bootToReady)) ms "
                    + "(vmlinux), \(format1(guest.bootToReadyCompressed)) ms (vmlinuz); device_add → visible in the guest: "
                    + "virtio disk \(format1(guest.diskVisible)) ms, virtio NIC \(format1(guest.nicVisible)) ms")
            } else {
                print("Test guest not found in \(options.guestDirectory): run scripts/build-test-guest.sh")
            }
        }
    }

    static func scriptFigures(socket: String, floor: String, options: Options) async throws {
        log("scripts: \(options.scriptCount) query-status lines through qmpsh run, the C floor and qmp-shell")
        let scripts = try await ScriptBench.scriptRun(socket: socket, floor: floor, count: options.scriptCount, rounds: options.rounds)
        let wake = try await ScriptBench.waitWakeUp(count: 200)
        var line = "\nScript of \(options.scriptCount) query-status lines, process start to exit (best of \(options.rounds)): "
        line += "qmpsh run \(format2(scripts.qmpsh * 1000)) ms, C floor \(format2(scripts.floor * 1000)) ms "
        line += "(qmpsh / floor \(format2(scripts.qmpsh / scripts.floor))×)"
        if let shell = scripts.qmpShell {
            line += ", qmp-shell \(format2(shell * 1000)) ms (qmp-shell / qmpsh \(format2(shell / scripts.qmpsh))×)"
        }
        print(line)
        print("Script wait wake-up, event received → wait returns (200 waits): median \(format1(wake.median)) µs, "
            + "worst \(format1(wake.worst)) µs")
    }

    static func log(_ message: String) { writeError("# \(message)\n") }

    static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// A file of this package, found from the working directory (the package root) or next to the binary.
    static func packageFile(_ relative: String) -> String {
        if access(relative, R_OK) == 0 { return relative }
        var directory = ChildProcess.productsDirectory
        while let slash = directory.lastIndex(of: "/") {
            directory = String(directory[..<slash])
            if access(directory + "/" + relative, R_OK) == 0 { return directory + "/" + relative }
        }
        return relative
    }

    static func compile(_ source: String, to output: String) async throws {
        guard access(source, R_OK) == 0 else { fail("cannot read \(source) (run from the package root, or pass --reference DIR)") }
        let result = try await ChildProcess.run(["gcc", "-O2", "-o", output, source])
        guard result.status == 0 else { fail("gcc failed on \(source): \(result.standardError)") }
        if source.hasSuffix("/rawqmp.c") {
            // Beside every C floor, the floor for a client that reads replies on a thread of its own: what an
            // ordinary task's figures are compared with as well (issue 14).
            let model = packageFile("Benchmarks/two_thread_floor.c")
            let built = try await ChildProcess.run(["gcc", "-O2", "-o", output + "-two-thread", model, "-lpthread"])
            guard built.status == 0 else { fail("gcc failed on \(model): \(built.standardError)") }
        }
    }

    /// Runs a reference client and reads the `X us/cmd` it prints.
    static func external(_ argv: [String]) async throws -> Double? {
        let result = try await ChildProcess.run(argv, timeout: .seconds(600))
        let words = result.standardOutput.split(whereSeparator: \.isWhitespace)
        guard result.status == 0, let unit = words.firstIndex(of: "us/cmd"), unit > 0 else {
            log("\(argv.joined(separator: " ")) failed: \(result)")
            return nil
        }
        return Double(words[unit - 1])
    }

    static func microseconds(_ duration: Duration, per count: Int) -> Double {
        let (seconds, attoseconds) = duration.components
        return (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(count)
    }

    /// `count` commands one after another; µs per command. `affine` runs the loop on the client's I/O thread.
    static func qmpkitSequential(_ address: MonitorAddress, count: Int, command: String, affine: Bool = false) async throws
        -> Double
    {
        try await QMPClient.withConnection(to: address) { client in
            let loop = {
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<count { _ = try await client.execute(command) }
                return microseconds(clock.now - start, per: count)
            }
            return affine ? try await client.withAffinity(loop) : try await loop()
        }
    }

    /// `count` commands with `window` always in flight; µs per command.
    static func qmpkitInFlight(_ address: MonitorAddress, count: Int, window: Int, affine: Bool = false) async throws -> Double {
        try await QMPClient.withConnection(to: address) { client in
            if affine {
                return try await client.withAffinity { try await qmpkitInFlight(client, count: count, window: window) }
            }
            return try await qmpkitInFlight(client, count: count, window: window)
        }
    }

    static func qmpkitInFlight(_ client: QMPClient, count: Int, window: Int) async throws -> Double {
        do {
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<window {
                    let share = count / window + (worker < count % window ? 1 : 0)
                    group.addTask {
                        for _ in 0..<share { _ = try await client.execute("query-status") }
                    }
                }
                try await group.waitForAll()
            }
            return microseconds(clock.now - start, per: count)
        }
    }

    // MARK: - CPU per command

    struct CPUFigures {
        var qmpkitMicroseconds: Double
        var affineMicroseconds: Double
        var floorMicroseconds: Double?
        /// The C client that reads replies on a thread of its own (`Benchmarks/two_thread_floor.c`).
        var twoThreadMicroseconds: Double? = nil
        var count: Int
    }

    /// Runs `body` with the path of an instantly answering fake server (`serve-fake`) in a process of its own, so
    /// this process's CPU time (or a client's instructions) is the client's alone.
    static func withFakeServer<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory(prefix: "qmpkit-cpu")
        let path = directory.file("fake.sock")
        let listener = try ListeningSocket(path: path)
        let server = Task {
            try await ChildProcess.run(
                [CommandLine.arguments[0], "serve-fake", "fd:3"], inheriting: [(listener.fileDescriptor, 3)],
                timeout: .seconds(1800))
        }
        let result: T
        do {
            result = try await body(path)
        } catch {
            listener.shutdown()
            _ = try? await server.value
            throw error
        }
        listener.shutdown()
        _ = try await server.value
        return result
    }

    static func cpuPerCommand(count: Int, floor: String) async throws -> CPUFigures {
        try await withFakeServer { path in try await cpuPerCommand(count: count, floor: floor, path: path) }
    }

    static func cpuPerCommand(count: Int, floor: String, path: String) async throws -> CPUFigures {
        let before = cpuTime(RUSAGE_SELF)
        _ = try await qmpkitSequential(.unix(path: path), count: count, command: "query-status")
        let qmpkit = (cpuTime(RUSAGE_SELF) - before) / Double(count)
        let affineBefore = cpuTime(RUSAGE_SELF)
        _ = try await qmpkitSequential(.unix(path: path), count: count, command: "query-status", affine: true)
        let affine = (cpuTime(RUSAGE_SELF) - affineBefore) / Double(count)
        let childrenBefore = cpuTime(RUSAGE_CHILDREN)
        let floorRun = try await ChildProcess.run([floor, path, String(count)], timeout: .seconds(600))
        let floorCPU = floorRun.status == 0 ? (cpuTime(RUSAGE_CHILDREN) - childrenBefore) / Double(count) : nil
        var figures = CPUFigures(qmpkitMicroseconds: qmpkit, affineMicroseconds: affine, floorMicroseconds: floorCPU, count: count)
        let twoThread = floor + "-two-thread"
        if access(twoThread, X_OK) == 0 {
            let before = cpuTime(RUSAGE_CHILDREN)
            let run = try await ChildProcess.run([twoThread, path, String(count)], timeout: .seconds(600))
            if run.status == 0 { figures.twoThreadMicroseconds = (cpuTime(RUSAGE_CHILDREN) - before) / Double(count) }
        }
        return figures
    }

    /// User + system CPU time in µs.
    static func cpuTime(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who.rawValue), &usage)
        func micro(_ t: timeval) -> Double { Double(t.tv_sec) * 1e6 + Double(t.tv_usec) }
        return micro(usage.ru_utime) + micro(usage.ru_stime)
    }

    static func serveFake(path: String) async throws {
        // `fd:N` is a listening socket inherited from the parent; anything else is a path to bind.
        let listener = path.hasPrefix("fd:")
            ? ListeningSocket(adopting: Int32(path.dropFirst(3)) ?? 3)
            : try ListeningSocket(path: path)
        while let connection = listener.accept() {
            startThread {
                let peer = FakeQMPPeer(connection: connection)
                try? peer.negotiate()
                try? peer.serveStandard()
                peer.close()
            }
        }
    }

    // MARK: - Report

    static func printReport(best: [String: Double], cpu: CPUFigures, options: Options, version: QEMUVersion, python: Bool) {
        func figure(_ key: String) -> String { best[key].map { String(format1($0)) + " µs" } ?? "–" }
        func ratio(_ a: String, _ b: String) -> String {
            guard let x = best[a], let y = best[b] else { return "–" }
            return format2(x / y) + "×"
        }
        func speedup(_ python: String, _ swift: String) -> String {
            guard let p = best[python], let s = best[swift] else { return "–" }
            return format2(p / s) + "×"
        }
        var rows: [(String, String, String, String, String, String)] = []
        for (mode, suffix) in [("affine", ".affine"), ("default", "")] {
            rows += [
                ("query-status, sequential (\(options.count)), \(mode)", figure("swift.seq" + suffix), figure("c.seq"),
                 ratio("swift.seq" + suffix, "c.seq"), figure("py.seq"), speedup("py.seq", "swift.seq" + suffix)),
                ("query-status, 64 in flight (\(options.count)), \(mode)", figure("swift.pipe" + suffix), figure("c.pipe"),
                 ratio("swift.pipe" + suffix, "c.pipe"), figure("py.pipe"), speedup("py.pipe", "swift.pipe" + suffix)),
                ("query-qmp-schema, sequential (\(options.schemaCount)), \(mode)", figure("swift.schema" + suffix),
                 figure("c.schema"), ratio("swift.schema" + suffix, "c.schema"), figure("py.schema"),
                 speedup("py.schema", "swift.schema" + suffix)),
            ]
        }
        print("| per command (QEMU \(version), -machine none) | qmpkit | C floor | qmpkit / floor | qemu.qmp (async) | qemu.qmp / qmpkit |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in rows { print("| \(row.0) | \(row.1) | \(row.2) | \(row.3) | \(row.4) | \(row.5) |") }
        if let model = best["c2.seq"], let floor = best["c.seq"], let swift = best["swift.seq"] {
            print("\nC floor reading replies on a thread of its own (Benchmarks/two_thread_floor.c), sequential: "
                + "\(format1(model)) µs = \(format2(model / floor))× the C floor; qmpkit default \(format2(swift / model))× it")
        }
        if python {
            print("\nqemu.qmp legacy (sync) sequential: \(figure("py.legacy")) (\(speedup("py.legacy", "swift.seq")) of qmpkit)")
        }
        printCPU(cpu)
    }

    static func printCPU(_ cpu: CPUFigures) {
        let floorCPU = cpu.floorMicroseconds.map { format2($0) + " µs" } ?? "–"
        let ratios = cpu.floorMicroseconds.map {
            " (\(format2(cpu.affineMicroseconds / $0))× and \(format2(cpu.qmpkitMicroseconds / $0))× the floor)"
        } ?? ""
        print("\nClient CPU (user+sys) per query-status against an instantly answering fake server, \(cpu.count) commands: "
            + "qmpkit affine \(format2(cpu.affineMicroseconds)) µs, qmpkit default \(format2(cpu.qmpkitMicroseconds)) µs, "
            + "C floor \(floorCPU)\(ratios)")
        if let model = cpu.twoThreadMicroseconds, let floor = cpu.floorMicroseconds {
            print("C floor reading replies on a thread of its own (two_thread_floor.c): \(format2(model)) µs = "
                + "\(format2(model / floor))× the floor; qmpkit default \(format2(cpu.qmpkitMicroseconds / model))× it")
        }
    }

    static func format1(_ value: Double) -> String {
        let scaled = (value * 10).rounded() / 10
        return String(scaled)
    }

    static func format2(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        var text = String(scaled)
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) == 2 { text += "0" }
        return text
    }
}
