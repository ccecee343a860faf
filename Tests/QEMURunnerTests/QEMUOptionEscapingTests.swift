#if canImport(Glibc)
import Glibc
#endif
import Testing
import QEMURunner
import QMP
import QMPTestSupport

/// Every user-supplied value inside a QEMU option string is escaped by one function (``QEMUOption/escape(_:)``):
/// checked as a property over random strings, and on real launches through QEMU's own argv
/// (`/proc/PID/cmdline`) and what QEMU made of it (`query-name`, the process name).
@Suite(.timeLimit(.minutes(2))) struct QEMUOptionEscapingTests {
    /// Characters that matter to QEMU's option parser, and some that do not.
    static let alphabet = Array(",=,,a b-_.:'\"$;\\é☃0x,")

    static func randomValue(_ random: inout SeededRandom, maximum: Int = 12) -> String {
        String((0..<Int.random(in: 0...maximum, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    }

    /// In an option string every value follows `key=`; such pairs split back into the same values.
    @Test func escapedValuesSplitBackIntoTheSameValues() {
        var random = SeededRandom(seed: 0x15)
        for _ in 0..<2000 {
            let values = (0..<Int.random(in: 1...4, using: &random)).map { _ in Self.randomValue(&random) }
            let joined = values.enumerated().map { QEMUOption.pair("k\($0.offset)", $0.element) }.joined(separator: ",")
            let split = QEMUOption.split(joined)
            #expect(split.count == values.count, "\(values) → \(joined)")
            for (index, part) in split.enumerated() where index < values.count {
                #expect(part == "k\(index)=" + values[index], "\(values) → \(joined)")
            }
        }
        #expect(QEMUOption.escape("x,process=evil-name") == "x,,process=evil-name")
    }

    /// Each value the configuration carries lands in its option string escaped, whatever it contains.
    @Test func everyUserValueInAnOptionStringIsEscaped() throws {
        var random = SeededRandom(seed: 0x20)
        for _ in 0..<200 {
            let value = "v" + Self.randomValue(&random)
            var machine = MachineConfiguration()
            machine.accelerator = .tcg
            machine.name = value
            machine.networks = [.user(hostForwards: [value]), .bridge(value), .tap(value)]
            machine.serialLog = value
            let arguments = try machine.arguments()
            #expect(arguments.contains("guest=" + QEMUOption.escape(value)))
            #expect(arguments.contains("user,id=net0,hostfwd=" + QEMUOption.escape(value)))
            #expect(arguments.contains("bridge,id=net1,br=" + QEMUOption.escape(value)))
            #expect(arguments.contains("tap,id=net2,ifname=" + QEMUOption.escape(value) + ",script=no,downscript=no"))
        }
    }

    /// The defect: `--name 'x,process=evil-name'` renamed QEMU's process. Now QEMU gets the escaped option in its
    /// argv, reports the whole name, and keeps its own process name; likewise for random names.
    @Test func aRealLaunchKeepsAwkwardNamesWhole() async throws {
        var random = SeededRandom(seed: 0x07)
        let names = ["x,process=evil-name", "a,,b", "trailing,"] + (0..<4).map { _ in "n" + Self.randomValue(&random, maximum: 8) }
        for name in names {
            var machine = MachineConfiguration()
            machine.accelerator = .tcg
            machine.memory = .init(megabytes: 64)
            machine.name = name
            var options = Guest.Options()
            options.powerdownTimeout = .zero
            try await Guest.withGuest(machine, options: options) { guest in
                let pid = guest.process.pid
                let argv = (try ChildProcess.readFile("/proc/\(pid)/cmdline")).split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
                let at = try #require(argv.firstIndex(of: "-name"), "\(argv)")
                #expect(argv[at + 1] == "guest=" + QEMUOption.escape(name), "argv: \(argv)")
                let reply = try await guest.client.execute("query-name")
                #expect(reply["name"] == .string(name), "QEMU read the name as \(reply)")
                let comm = try ChildProcess.readFile("/proc/\(pid)/comm").filter { !$0.isNewline }
                #expect(comm.hasPrefix("qemu"), "process name \(comm): the name set no process= option")
            }
        }
    }
}
