#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMP
import QMPTestSupport
import Testing

/// File modes of a launched guest's runtime files, and argv that never passes through a shell.
@Suite(.timeLimit(.minutes(2))) struct RuntimeSecurityTests {
    @Test func runtimeDirectoryAndSocketAreOwnerOnly() async throws {
        try await Guest.withGuest(TestGuest.bareMachine(), options: TestGuest.options) { guest in
            let directory = guest.runtimeDirectory.path
            #expect(Probe.mode(directory) == 0o700, "runtime dir mode \(String(Probe.mode(directory) ?? 0, radix: 8))")
            #expect(Probe.mode(guest.monitorPath) == 0o600, "socket mode \(String(Probe.mode(guest.monitorPath) ?? 0, radix: 8))")
            let stderr = guest.runtimeDirectory.file("qemu.stderr")
            #expect(Probe.mode(stderr) == 0o600)
            report("runtime dir \(String(Probe.mode(directory)!, radix: 8)), QMP socket \(String(Probe.mode(guest.monitorPath)!, radix: 8)), "
                + "qemu.stderr \(String(Probe.mode(stderr)!, radix: 8)), console.log "
                + "\(Probe.mode(guest.runtimeDirectory.file("console.log")).map { String($0, radix: 8) } ?? "absent") (inside the 0700 dir)")
        }
    }

    /// Sockets bound by the library are 0600 whatever the umask.
    @Test func listeningSocketsAreOwnerOnlyUnderAPermissiveUmask() throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-rel")
        let old = umask(0)
        defer { umask(old) }
        let socket = try ListeningSocket(path: directory.file("s.sock"))
        #expect(Probe.mode(socket.path) == 0o600)
    }

    static let awkwardNames = [
        "my disk.raw", "it's \"quoted\".raw", "a;b.raw", "$(touch pwned).raw", "`touch pwned2`.raw", "comma,name.raw",
        "-dash.raw",
    ]

    /// Disk, CD and serial-log paths full of shell syntax reach QEMU byte for byte, and no shell runs any of it.
    @Test func awkwardFileNamesReachQEMUAsGiven() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-rel")
        let sideEffects = ["pwned", "pwned2", directory.file("pwned"), directory.file("pwned2")]
        let before = sideEffects.filter(Probe.exists)
        var machine = TestGuest.bareMachine()
        var paths: [String] = []
        for name in Self.awkwardNames {
            let path = directory.file(name)
            try await DiskImage.create(path: path, format: .raw, size: .mebibytes(1))
            paths.append(path)
            machine.disks.append(.init(file: path, format: "raw", interface: "virtio", id: "d\(paths.count)"))
        }
        let cd = directory.file("cd $(touch pwned);'\".iso")
        try ChildProcess.writeFile(cd, String(repeating: "\0", count: 2048))
        machine.cdrom = cd
        machine.serialLog = directory.file("console; $(touch pwned).log")
        try await Guest.withGuest(machine, options: TestGuest.options) { guest in
            let block = try await guest.client.execute("query-block")
            let files = Set(block.arrayValue?.compactMap { $0["inserted"]?["file"]?.stringValue } ?? [])
            for path in paths + [cd] {
                #expect(files.contains(path), "QEMU opened \(files), not \(path)")
            }
            #expect(Probe.exists(machine.serialLog!))
        }
        let after = sideEffects.filter(Probe.exists)
        #expect(after == before, "a shell ran part of a file name")
        report("awkward names (\(Self.awkwardNames.count) disks, 1 CD, serial log) opened as given; no shell side effects")
    }
}
