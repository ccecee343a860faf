#if canImport(Glibc)
import Glibc
#endif
import Testing
import QEMURunner
import QMP
import QMPLibvirt
import QMPTestSupport

/// The remote form, `libvirt+qemu+ssh://HOST/system#DOMAIN`, over a real ssh transport: a private sshd on the
/// loopback (scripts/libvirt-ssh-loopback.sh) stands in for the remote host; libvirt runs ssh and
/// virt-ssh-helper as it would against another machine.
@Suite(.serialized, .timeLimit(.minutes(5))) struct LibvirtRemoteTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    /// Starts the loopback sshd, runs `body` with the connection URI, stops sshd on every path.
    static func withLoopbackSSH<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory(prefix: "qmpkit-ssh")
        let started = try await Subprocess.run([LibvirtHost.repositoryRoot + "/scripts/libvirt-ssh-loopback.sh", directory.path])
        guard started.termination.isSuccess else {
            throw TestSupportError("libvirt-ssh-loopback.sh failed: \(started.standardError)")
        }
        var uri: String?
        var pid: Int32?
        for line in started.standardOutput.split(separator: "\n") {
            if line.hasPrefix("URI=") { uri = String(line.dropFirst(4)) }
            if line.hasPrefix("PID=") { pid = Int32(line.dropFirst(4)) }
        }
        guard let uri, let pid else { throw TestSupportError("libvirt-ssh-loopback.sh printed no URI/PID: \(started.standardOutput)") }
        defer { kill(pid, SIGTERM) }
        return try await body(uri)
    }

    @Test func guestOverSSH() async throws {
        try await TestDomain.with("ssh") { domain in
            try await Self.withLoopbackSSH { uri in
                let monitor = "libvirt+\(uri)#\(domain.name)"

                let status = try await ChildProcess.run([qmpsh, "exec", monitor, "query-status"])
                #expect(status.status == 0, "\(status)")
                #expect(status.standardOutput.contains("\"running\":true"))
                let hmp = try await ChildProcess.run([qmpsh, "hmp", monitor, "info status"])
                #expect(hmp.standardOutput == "VM status: running\n", "\(hmp)")
                let list = try await ChildProcess.run([qmpsh, "domains", "--connect", uri])
                #expect(list.standardOutput.contains(domain.name) && list.standardOutput.contains("running"), "\(list)")

                // The library over ssh: commands, events and waits as on a local socket.
                let client = try await LibvirtMonitor.connect(monitor)
                do {
                    _ = try await client.execute(Stop())
                    _ = try await client.waitForEvent(StopEvent.self, timeout: .seconds(30))
                    _ = try await client.execute(Cont())
                    _ = try await client.waitForEvent(ResumeEvent.self, timeout: .seconds(30))
                    #expect(try await domain.run("echo remote-$((3*3))").contains("remote-9"))
                    await client.close()
                } catch {
                    await client.close()
                    throw error
                }

                let missing = try await ChildProcess.run([qmpsh, "exec", "libvirt+\(uri)#qmpkit-nope", "query-status"])
                #expect(missing.status == 3)
                #expect(missing.standardError.contains("domain 'qmpkit-nope' not found on qemu+ssh://"), "\(missing)")
                #expect(missing.standardError.contains("qmpsh domains --connect '\(uri)' lists them"), "\(missing)")
            }
        }
    }
}
