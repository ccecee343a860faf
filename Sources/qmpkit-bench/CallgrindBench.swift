#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPTestSupport
import QMPWire

/// Client CPU per command in instructions (valgrind's callgrind), repeatable on a noisy machine where user+sys
/// times are not.
///
/// `qmpkit-bench callgrind [COUNT]` runs each client twice under callgrind against an instantly answering fake
/// server in a process of its own (`serve-fake`): once with COUNT `query-status` and once with 2×COUNT. The
/// difference divided by COUNT is the cost of one command with start-up, connect and exit taken out. The clients:
/// qmpkit from `withAffinity` and from an ordinary task (`cpu-loop`), the C floor (`rawqmp.c`), and the actor-or-not
/// prototype (``ActorBench``). Instructions count every thread of the client, not the kernel's work in its system
/// calls (the same calls for every client: one `write` and one `read` a command, plus qmpkit's `poll`).
enum CallgrindBench {
    /// Instructions per command of one client, and the two totals it came from.
    struct Figure: Sendable {
        var label: String
        var perCommand: Double
    }

    static func run(count: Int, floor: String) async throws {
        guard try await ChildProcess.run(["valgrind", "--version"]).status == 0 else {
            Bench.fail("valgrind is not installed (apt-get install valgrind)")
        }
        let (figures, prototype) = try await Bench.withFakeServer { path in try await measure(count: count, floor: floor, path: path) }
        report(figures, prototype: prototype, count: count)
    }

    static func measure(count: Int, floor: String, path: String) async throws -> ([Figure], [Figure]) {
        let bench = CommandLine.arguments[0]
        var figures: [Figure] = []
        for (label, argv) in [
            ("C floor (rawqmp.c)", [floor, path]),
            ("qmpkit, withAffinity", [bench, "cpu-loop", path, "affine"]),
            ("qmpkit, ordinary task", [bench, "cpu-loop", path, "default"]),
        ] {
            Bench.log("callgrind: \(label)")
            figures.append(Figure(label: label, perCommand: try await perCommand(argv, count: count)))
        }
        var prototype: [Figure] = []
        for mode in ActorBench.modes {
            Bench.log("callgrind: actor-or-not prototype, \(mode)")
            prototype.append(Figure(label: mode, perCommand: try await perCommand([bench, "actor-loop", mode], count: count)))
        }
        return (figures, prototype)
    }

    static func report(_ figures: [Figure], prototype: [Figure], count: Int) {
        let floor = figures[0].perCommand
        print("\nClient CPU per query-status in instructions (callgrind; (Ir(\(2 * count)) − Ir(\(count))) / \(count), "
            + "fake server in its own process):")
        print("| client | instructions a command | / C floor |")
        print("|---|---:|---:|")
        for figure in figures {
            print("| \(figure.label) | \(Int(figure.perCommand.rounded())) | \(Bench.format2(figure.perCommand / floor))× |")
        }
        print("\nActor or final class (prototype: a client whose `execute` awaits a continuation that a stand-in I/O "
            + "thread resumes at once), instructions a call:")
        print("| client | instructions a call |")
        print("|---|---:|")
        for figure in prototype { print("| \(figure.label) | \(Int(figure.perCommand.rounded())) |") }
    }

    /// (Ir of 2×`count` commands − Ir of `count`) / `count`; `argv` gets the count appended.
    static func perCommand(_ argv: [String], count: Int) async throws -> Double {
        let once = try await instructions(argv + [String(count)])
        let twice = try await instructions(argv + [String(2 * count)])
        return Double(twice - once) / Double(count)
    }

    /// The instructions callgrind collected for one run of `argv` (every thread).
    static func instructions(_ argv: [String]) async throws -> Int {
        let result = try await ChildProcess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv, timeout: .seconds(1800))
        // callgrind's summary on stderr: "==PID== Collected : 123456"
        for line in result.standardError.split(separator: "\n") {
            guard let range = line.range(of: "Collected : ") else { continue }
            if result.status == 0, let value = Int(line[range.upperBound...].drop(while: { $0 == " " })) { return value }
        }
        Bench.fail("callgrind run failed: \(argv.joined(separator: " ")): \(result)")
    }

    /// `qmpkit-bench cpu-loop SOCKET affine|default COUNT`: connects, runs COUNT `query-status`, and exits at once
    /// (valgrind 3.19 crashes when an async `main` returns, in libdispatch's main-thread exit).
    static func loop(socket: String, mode: String, count: Int) async throws -> Never {
        _ = try await Bench.qmpkitSequential(
            .unix(path: socket), count: count, command: "query-status", affine: mode == "affine")
        exit(0)
    }
}
