#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMPTestSupport

/// `qmpsh migrate SRC DST` with guest names (`qmpsh boot --name A --detach`, `--name B --incoming --detach`),
/// end to end on the built qmpsh, with a private XDG_RUNTIME_DIR where the names live.
@Suite(.timeLimit(.minutes(3))) struct MigrateByNameCLITests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    @Test func migratesBetweenGuestsByName() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-mig-name")
        defer { directory.remove() }
        let runtime = directory.file("run")
        try #require(mkdir(runtime, 0o700) == 0)
        func qmpsh(_ arguments: [String]) async throws -> ProcessResult {
            try await ChildProcess.run(["env", "XDG_RUNTIME_DIR=\(runtime)", self.qmpsh] + arguments, timeout: .seconds(120))
        }
        let machine = ["--accel", "tcg", "-m", "64", "--net", "none", "--detach"]
        let source = try await qmpsh(["boot", "--name", "mig-a"] + machine)
        try #require(source.status == 0, "\(source)")
        let destination = try await qmpsh(["boot", "--name", "mig-b", "--incoming"] + machine)
        guard destination.status == 0 else {
            _ = try await qmpsh(["exec", "mig-a", "quit"])
            Issue.record("\(destination)")
            return
        }
        // Both names resolve: the wrong way round is refused because B waits for a migration.
        let refused = try await qmpsh(["migrate", "mig-b", "mig-a"])
        #expect(refused.status == 2 && refused.standardError.contains("inmigrate, not running"), "\(refused)")

        let migrate = try await qmpsh(["migrate", "mig-a", "mig-b"])
        #expect(migrate.status == 0, "\(migrate)")
        #expect(migrate.standardOutput.split(separator: "\n").last?.hasPrefix("migration completed 100%") == true, "\(migrate)")
        #expect(migrate.standardError.contains("the source was told to quit"), "\(migrate)")

        let moved = try await qmpsh(["exec", "mig-b", "query-status"])
        #expect(moved.status == 0 && moved.standardOutput.contains("\"running\""), "\(moved)")
        // The source QEMU quit: its name no longer resolves to a live guest.
        let gone = try await waitUntilGone("mig-a", runtime: runtime)
        #expect(gone, "mig-a still answers after the move")
        _ = try await qmpsh(["exec", "mig-b", "quit"])
        if !gone { _ = try await qmpsh(["exec", "mig-a", "quit"]) }
    }

    /// Waits (for the watcher to remove its folder once QEMU ended) until `name` no longer names a guest.
    func waitUntilGone(_ name: String, runtime: String, timeout: Duration = .seconds(30)) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if access(runtime + "/qmpsh/" + name, F_OK) != 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
