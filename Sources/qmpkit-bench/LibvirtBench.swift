#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPLibvirt
import QMPTestSupport

/// `qmpkit-bench libvirt [COUNT] [ROUNDS]`: a command through `libvirt:DOMAIN` against the floor for libvirt, a C
/// loop calling `virDomainQemuMonitorCommand` with libvirt's event loop running (`Benchmarks/libvirt_floor.c`), on
/// one transient domain (paused, so its CPU does not compete), best of ROUNDS each.
enum LibvirtBench {
    struct Figures {
        var floor: Double
        var qmpkit: Double
        var affine: Double
    }

    static func run(count: Int, rounds: Int) async throws {
        guard let figures = try await measure(count: count, rounds: rounds) else { return }
        report(figures, count: count, rounds: rounds)
    }

    static func report(_ figures: Figures, count: Int, rounds: Int) {
        print("\nlibvirt:DOMAIN, sequential query-status (\(count), best of \(rounds)), against a C loop calling "
            + "virDomainQemuMonitorCommand with libvirt's event loop running:")
        print("| client | µs a command | / C floor |")
        print("|---|---:|---:|")
        print("| C floor (Benchmarks/libvirt_floor.c) | \(Bench.format1(figures.floor)) | 1.00× |")
        print("| qmpkit, withAffinity | \(Bench.format1(figures.affine)) | \(Bench.format2(figures.affine / figures.floor))× |")
        print("| qmpkit, ordinary task | \(Bench.format1(figures.qmpkit)) | \(Bench.format2(figures.qmpkit / figures.floor))× |")
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
        var best = Figures(floor: .infinity, qmpkit: .infinity, affine: .infinity)
        do {
            for _ in 0..<rounds {
                if let value = try await Bench.external([floor, uri, name, String(count)]) { best.floor = min(best.floor, value) }
                best.affine = min(best.affine, try await sequential(uri: uri, domain: name, count: count, affine: true))
                best.qmpkit = min(best.qmpkit, try await sequential(uri: uri, domain: name, count: count, affine: false))
            }
        } catch {
            _ = try? await ChildProcess.run(["virsh", "-c", uri, "destroy", name], timeout: .seconds(60))
            throw error
        }
        _ = try await ChildProcess.run(["virsh", "-c", uri, "destroy", name], timeout: .seconds(60))
        return best
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
        print("libvirt-loop \(mode): \(count) commands, \(Bench.format1(value)) µs a command")
    }

    static func writeFile(_ path: String, _ text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { Bench.fail("cannot write \(path)") }
        defer { close(descriptor) }
        var text = text
        text.withUTF8 { _ = write(descriptor, $0.baseAddress, $0.count) }
    }
}
