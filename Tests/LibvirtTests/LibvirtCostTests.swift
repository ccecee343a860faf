#if canImport(Glibc)
import Glibc
#endif
import CLibvirt
import Testing
import QEMURunner
import QMP
import QMPLibvirt
import QMPTestSupport
import QMPWire

/// What a command through `libvirt:DOMAIN` costs the client, in system calls, against a bare loop that calls
/// `virDomainQemuMonitorCommand` itself (what `Benchmarks/libvirt_floor.c` does). System-call counts do not depend on
/// the machine's load, unlike times, so they can be asserted.
///
/// Found this way (session 5): qmpkit turned on libvirt's keep-alive for every connection. Libvirt then restarts its
/// keep-alive timer on each message it receives, and each restart wakes its event-loop thread: three more `write`s
/// (wake-ups) a command than the bare loop (17.0 against 14.0), more context switches and CPU on a two-core machine,
/// about 60 µs a command. Keep-alive is now only for remote URIs, where it detects a lost host.
@Suite(.serialized, .timeLimit(.minutes(5))) struct LibvirtCostTests {
    @Test func aCommandMakesNoMoreWritesThanABareLibvirtLoop() async throws {
        try await PausedDomain.with("cost") { domain in
            let count = 300
            let client = try await LibvirtMonitor.connect(domain.monitor)
            let affine: ProcessIO.PerCommand
            do {
                // Warm up: the first calls allocate and register.
                for _ in 0..<20 { _ = try await client.execute("query-status") }
                affine = try await client.withAffinity {
                    try await ProcessIO.perCommand(count) {
                        for _ in 0..<count { _ = try await client.execute("query-status") }
                    }
                }
            } catch {
                await client.close()
                throw error
            }
            // The bare loop: libvirt's own calls on a connection of its own (libvirt's event loop runs: the client's
            // connect started it), on a thread of its own, while the client is still connected.
            let bare = try await onThread { try domain.bareCommands(count) }
            #expect(
                affine.writes <= bare.writes + 0.5,
                "qmpkit made \(affine.writes) writes a command, the bare libvirt loop \(bare.writes)")
            #expect(
                affine.reads <= bare.reads + 0.5,
                "qmpkit made \(affine.reads) reads a command, the bare libvirt loop \(bare.reads)")
            await client.close()
        }
    }
}

/// The process's system-call counters (`/proc/self/io`: `syscr`, `syscw`), which count every thread's.
enum ProcessIO {
    struct PerCommand: Sendable {
        var reads: Double
        var writes: Double
    }

    static func counters() throws -> (reads: Int, writes: Int) {
        let text = try #require(readTextFile("/proc/self/io"))
        var reads = 0
        var writes = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("syscr: ") { reads = Int(line.dropFirst(7)) ?? 0 }
            if line.hasPrefix("syscw: ") { writes = Int(line.dropFirst(7)) ?? 0 }
        }
        return (reads, writes)
    }

    static func perCommand(_ count: Int, _ body: () async throws -> Void) async throws -> PerCommand {
        let before = try counters()
        try await body()
        let after = try counters()
        return PerCommand(reads: Double(after.reads - before.reads) / Double(count), writes: Double(after.writes - before.writes) / Double(count))
    }

    static func perCommandSync(_ count: Int, _ body: () throws -> Void) throws -> PerCommand {
        let before = try counters()
        try body()
        let after = try counters()
        return PerCommand(reads: Double(after.reads - before.reads) / Double(count), writes: Double(after.writes - before.writes) / Double(count))
    }
}

/// Runs a blocking body on a thread of its own (libvirt's calls block), for tests.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        startDetachedThread { continuation.resume(with: Result { try body() }) }
    }
}

/// A transient domain with no disk and no guest, started paused (its CPU does not compete), destroyed on every path:
/// enough for monitor commands, and quick to create.
///
/// `@unchecked Sendable`: the libvirt pointers are thread-safe libvirt objects that never change after init.
final class PausedDomain: @unchecked Sendable {
    let name: String
    private let connection: virConnectPtr
    private let domain: virDomainPtr

    private init(name: String, connection: virConnectPtr, domain: virDomainPtr) {
        self.name = name
        self.connection = connection
        self.domain = domain
    }

    var monitor: String { "libvirt:\(name)" }

    static func with<T: Sendable>(_ label: String, _ body: (PausedDomain) async throws -> T) async throws -> T {
        try await LibvirtHost.ready()
        let name = "qmpkit-\(label)-\(getpid())"
        guard let connection = virConnectOpen("qemu:///system") else {
            throw TestSupportError("cannot open qemu:///system: \(TestDomain.lastMessage())")
        }
        let xml = """
            <domain type='qemu'><name>\(name)</name><memory unit='MiB'>64</memory>
            <os><type arch='x86_64' machine='pc'>hvm</type></os><devices><memballoon model='none'/></devices></domain>
            """
        let flags = VIR_DOMAIN_START_PAUSED.rawValue | VIR_DOMAIN_START_AUTODESTROY.rawValue
        guard let domain = virDomainCreateXML(connection, xml, flags) else {
            let message = TestDomain.lastMessage()
            virConnectClose(connection)
            throw TestSupportError("cannot create domain \(name): \(message)")
        }
        let paused = PausedDomain(name: name, connection: connection, domain: domain)
        defer { _ = virDomainDestroy(domain) }
        return try await body(paused)
    }

    /// `count` `query-status` commands straight through libvirt, on a connection of their own (no keep-alive), opened
    /// now: libvirt's event loop must run before a connection opens for the connection to use it, as it does for the
    /// C floor's.
    func bareCommands(_ count: Int) throws -> ProcessIO.PerCommand {
        guard let connection = virConnectOpen("qemu:///system") else {
            throw TestSupportError("cannot open qemu:///system: \(TestDomain.lastMessage())")
        }
        defer { virConnectClose(connection) }
        guard let domain = virDomainLookupByName(connection, name) else {
            throw TestSupportError("cannot find \(name): \(TestDomain.lastMessage())")
        }
        defer { virDomainFree(domain) }
        try Self.commands(domain, 20)  // as the client was warmed up
        return try ProcessIO.perCommandSync(count) { try Self.commands(domain, count) }
    }

    private static func commands(_ domain: virDomainPtr, _ count: Int) throws {
        for _ in 0..<count {
            var reply: UnsafeMutablePointer<CChar>?
            guard virDomainQemuMonitorCommand(domain, #"{"execute":"query-status"}"#, &reply, 0) == 0, let reply else {
                throw TestSupportError("virDomainQemuMonitorCommand failed: \(TestDomain.lastMessage())")
            }
            free(reply)
        }
    }

    deinit {
        virDomainFree(domain)
        virConnectClose(connection)
    }
}
