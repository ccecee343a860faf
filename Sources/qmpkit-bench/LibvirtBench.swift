#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPLibvirt
import QMPTestSupport

/// `qmpkit-bench libvirt [COUNT] [ROUNDS]`: a command through `libvirt:DOMAIN` against the floor for libvirt, a C
/// loop calling `virDomainQemuMonitorCommand` with libvirt's event loop running (`Benchmarks/libvirt_floor.c`), on
/// one transient domain (paused, so its CPU does not compete).
///
/// Measured alike: each round runs the C loop and qmpkit's loop (`qmpkit-bench libvirt-loop`, affine and from an
/// ordinary task) each as a fresh process that connects, makes one command and then times COUNT commands, one after
/// another; the order of the three rotates from round to round, so none always runs first. The report gives the
/// best of the rounds and the median over rounds of each round's ratio (a ratio taken within one round compares
/// runs seconds apart, under the same load), with the ratios' range.
enum LibvirtBench {
    /// The three clients measured.
    enum Client: CaseIterable {
        case floor, affine, ordinary
    }

    /// µs a command of each client, one entry a round.
    struct Figures {
        var rounds: [[Client: Double]] = []

        func best(_ client: Client) -> Double {
            rounds.compactMap { $0[client] }.min() ?? .nan
        }

        /// Each round's `client` / floor.
        func ratios(_ client: Client) -> [Double] {
            rounds.compactMap { round in
                guard let value = round[client], let floor = round[.floor] else { return nil }
                return value / floor
            }.sorted()
        }

        func medianRatio(_ client: Client) -> Double {
            let ratios = ratios(client)
            guard !ratios.isEmpty else { return .nan }
            let middle = ratios.count / 2
            return ratios.count % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2
        }
    }

    /// Rounds of the libvirt figures in the full run: at the 2 % level one round's ratio is noise (the C loop alone
    /// spreads by more than that between runs), so it takes more rounds than the other figures.
    static let defaultRounds = 9

    static func run(count: Int, rounds: Int) async throws {
        guard let figures = try await measure(count: count, rounds: rounds) else { return }
        report(figures, count: count)
    }

    static func report(_ figures: Figures, count: Int) {
        print("\nlibvirt:DOMAIN, sequential query-status (\(count) a round, \(figures.rounds.count) rounds, interleaved), "
            + "against a C loop calling virDomainQemuMonitorCommand with libvirt's event loop running:")
        print("| client | best µs a command | best / best floor | median of per-round ratios | range of ratios |")
        print("|---|---:|---:|---:|---:|")
        let floor = figures.best(.floor)
        print("| C floor (Benchmarks/libvirt_floor.c) | \(Bench.format1(floor)) | 1.00× | 1.00× | |")
        for (client, name) in [(Client.affine, "qmpkit, withAffinity"), (.ordinary, "qmpkit, ordinary task")] {
            let ratios = figures.ratios(client)
            let range = ratios.isEmpty ? "" : "\(Bench.format2(ratios.first!))–\(Bench.format2(ratios.last!))×"
            print("| \(name) | \(Bench.format1(figures.best(client))) | \(Bench.format2(figures.best(client) / floor))× "
                + "| \(Bench.format2(figures.medianRatio(client)))× | \(range) |")
        }
        let perRound = figures.rounds.map { round in
            [Client.floor, .affine, .ordinary].map { round[$0].map(Bench.format1) ?? "-" }.joined(separator: "/")
        }
        print("Rounds (floor/affine/ordinary µs): \(perRound.joined(separator: ", "))")
    }

    /// `nil` (with a note on stderr) when libvirtd does not answer.
    static func measure(count: Int, rounds: Int) async throws -> Figures? {
        guard try await ChildProcess.run([Bench.packageFile("scripts/libvirt-setup.sh"), "--check"]).status == 0 else {
            Bench.log("libvirtd does not answer (scripts/libvirt-setup.sh starts it): libvirt figures left out")
            return nil
        }
        let work = try TemporaryDirectory(prefix: "qmpkit-bench-lv")
        let floor = work.file("libvirt_floor")
        let compiled = try await ChildProcess.run(
            ["gcc", "-O2", "-o", floor, Bench.packageFile("Benchmarks/libvirt_floor.c"), "-lvirt", "-lvirt-qemu", "-lpthread"])
        guard compiled.status == 0 else { Bench.fail("gcc failed on Benchmarks/libvirt_floor.c (libvirt-dev?): \(compiled.standardError)") }
        let name = "qmpkit-bench-\(getpid())"
        let xml = work.file("domain.xml")
        try writeFile(xml, """
            <domain type='qemu'><name>\(name)</name><memory unit='MiB'>64</memory>
            <os><type arch='x86_64' machine='pc'>hvm</type></os><devices></devices></domain>
            """)
        let uri = "qemu:///system"
        let created = try await ChildProcess.run(["virsh", "-c", uri, "create", xml, "--paused"], timeout: .seconds(120))
        guard created.status == 0 else { Bench.fail("virsh create failed: \(created.standardError)") }
        Bench.log("libvirt: transient domain \(name) (paused), \(count) query-status, \(rounds) rounds")
        let commands: [Client: [String]] = [
            .floor: [floor, uri, name, String(count)],
            .affine: [CommandLine.arguments[0], "libvirt-loop", uri, name, "affine", String(count)],
            .ordinary: [CommandLine.arguments[0], "libvirt-loop", uri, name, "default", String(count)],
        ]
        var figures = Figures()
        do {
            for round in 0..<rounds {
                var values: [Client: Double] = [:]
                for turn in 0..<Client.allCases.count {
                    let client = Client.allCases[(round + turn) % Client.allCases.count]
                    values[client] = try await Bench.external(commands[client]!)
                }
                figures.rounds.append(values)
            }
        } catch {
            _ = try? await ChildProcess.run(["virsh", "-c", uri, "destroy", name], timeout: .seconds(60))
            throw error
        }
        _ = try await ChildProcess.run(["virsh", "-c", uri, "destroy", name], timeout: .seconds(60))
        return figures
    }

    /// `count` commands through `libvirt:DOMAIN`, one after another; µs a command.
    static func sequential(uri: String, domain: String, count: Int, affine: Bool) async throws -> Double {
        let client = try await LibvirtMonitor.connect(to: LibvirtMonitorAddress(uri: uri, domain: domain))
        let loop = { @Sendable () async throws -> Double in
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<count { _ = try await client.execute("query-status") }
            return Bench.microseconds(clock.now - start, per: count)
        }
        let result = affine ? try await client.withAffinity { try await loop() } : try await loop()
        await client.close()
        return result
    }

    /// `libvirt-loop`: only qmpkit's loop, on a domain that runs already, so `strace -c -f`, `perf stat` or callgrind
    /// see nothing else (no C floor, no domain set-up). Prints µs a command.
    static func loop(uri: String, domain: String, mode: String, count: Int) async throws {
        guard mode == "affine" || mode == "default" else { Bench.fail("libvirt-loop: mode is affine or default, not \(mode)") }
        let value = try await sequential(uri: uri, domain: domain, count: count, affine: mode == "affine")
        // "us/cmd" as the C loop prints it, so that `Bench.external` reads both alike.
        print("libvirt-loop \(mode): \(count) cmds = \(Bench.format1(value)) us/cmd")
    }

    static func writeFile(_ path: String, _ text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { Bench.fail("cannot write \(path)") }
        defer { close(descriptor) }
        var text = text
        text.withUTF8 { _ = write(descriptor, $0.baseAddress, $0.count) }
    }
}
