#if canImport(Glibc)
import Glibc
#endif
import Testing
import QEMURunner
import QMPTestSupport
import QMPWire

/// The built `qmpsh` against libvirt-run guests: what users see, and the exit codes. Every failure is one line on
/// stderr that says what to do, with exit status 3 (the monitor could not be reached).
@Suite(.serialized, .timeLimit(.minutes(5))) struct LibvirtQMPSHTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    @Test func execHMPEventsAndDomains() async throws {
        try await TestDomain.with("sh") { domain in
            let status = try await ChildProcess.run([qmpsh, "exec", domain.monitor, "query-status"])
            #expect(status.status == 0, "\(status)")
            #expect(status.standardOutput.contains("\"running\":true"))

            let hmp = try await ChildProcess.run([qmpsh, "hmp", domain.monitor, "info", "status"])
            #expect(hmp.status == 0, "\(hmp)")
            #expect(hmp.standardOutput == "VM status: running\n")

            // The same monitor named with an explicit URI.
            let explicit = try await ChildProcess.run([qmpsh, "exec", "libvirt+qemu:///system#\(domain.name)", "query-name"])
            #expect(explicit.status == 0, "\(explicit)")

            // Validation against the live schema works as on a socket: a misspelt argument is refused (exit 2).
            let invalid = try await ChildProcess.run([qmpsh, "exec", domain.monitor, "device_del", "idd=vd1"])
            #expect(invalid.status == 2, "\(invalid)")

            let list = try await ChildProcess.run([qmpsh, "domains", "--json"])
            #expect(list.status == 0, "\(list)")
            let entries = try JSON(parsing: list.standardOutput).arrayValue ?? []
            let entry = try #require(entries.first { $0["name"]?.stringValue == domain.name })
            #expect(entry["state"]?.stringValue == "running")
            #expect(entry["monitor"]?.stringValue == domain.monitor)
            let table = try await ChildProcess.run([qmpsh, "domains", "--connect", "qemu:///system"])
            let row = table.standardOutput.split(separator: "\n").first { $0.contains(domain.name) }
            #expect(row?.contains("running") == true && row?.hasSuffix(domain.monitor) == true, "\(table)")

            // Events: `qmpsh events` sees the RESUME of a stop/cont made by other qmpsh runs. There is no signal for
            // "the events process has subscribed", so stop/cont pairs repeat until it has printed one (no sleeps).
            let printed = try await withThrowingTaskGroup(of: ProcessResult?.self) { group in
                group.addTask {
                    try await ChildProcess.run([qmpsh, "events", domain.monitor, "--name", "RESUME", "--count", "1", "--timeout", "60"])
                }
                group.addTask {
                    while !Task.isCancelled {
                        let stop = try await ChildProcess.run([qmpsh, "exec", domain.monitor, "stop"])
                        let cont = try await ChildProcess.run([qmpsh, "exec", domain.monitor, "cont"])
                        guard stop.status == 0, cont.status == 0 else { throw TestSupportError("stop/cont failed: \(stop) \(cont)") }
                    }
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            let events = try #require(printed)
            #expect(events.status == 0, "\(events)")
            #expect(events.standardOutput.contains("\"event\":\"RESUME\""))
            // Whatever the last round left, the guest runs again and answers on its console.
            _ = try await ChildProcess.run([qmpsh, "exec", domain.monitor, "cont"])
            #expect(try await domain.run("echo ok-$((2*3))").contains("ok-6"))
        }
    }

    @Test func unknownDomain() async throws {
        try await LibvirtHost.ready()
        let result = try await ChildProcess.run([qmpsh, "exec", "libvirt:qmpkit-no-such-domain", "query-status"])
        #expect(result.status == 3)
        #expect(result.standardError == "LibvirtError: domain 'qmpkit-no-such-domain' not found on qemu:///system (qmpsh domains lists them)\n")
    }

    @Test func shutOffDomain() async throws {
        try await ShutOffDomain.with { name in
            let result = try await ChildProcess.run([qmpsh, "exec", "libvirt:\(name)", "query-status"])
            #expect(result.status == 3)
            #expect(result.standardError == "LibvirtError: domain '\(name)' is shut off: start it with virsh start \(name)\n")
            let list = try await ChildProcess.run([qmpsh, "domains"])
            #expect(list.standardOutput.split(separator: "\n").contains {
                $0.contains(name) && $0.contains("shut off") && $0.hasPrefix("-")
            }, "\(list)")
        }
    }

    /// A connection whose daemon is not there (its socket does not exist) gets the same answer as a stopped
    /// libvirtd: the one-line hint to start it.
    @Test func daemonNotRunning() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-lv")
        let monitor = "libvirt+qemu+unix:///system?socket=\(directory.file("libvirt-sock"))#web1"
        let result = try await ChildProcess.run([qmpsh, "exec", monitor, "query-status"])
        #expect(result.status == 3)
        #expect(result.standardError.hasPrefix("LibvirtError: libvirtd is not running"))
        #expect(result.standardError.contains("libvirtd -d"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
        let list = try await ChildProcess.run([qmpsh, "domains", "--connect", "qemu+unix:///system?socket=\(directory.file("libvirt-sock"))"])
        #expect(list.status == 3)
        #expect(list.standardError.hasPrefix("LibvirtError: libvirtd is not running"))
    }

    /// A daemon that accepts the connection and never answers (a hung libvirtd, a host that went silent): --timeout
    /// bounds the connect, and the error says libvirt did not answer.
    @Test func silentDaemonTimesOut() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-lv")
        let silent = try ListeningSocket(path: directory.file("libvirt-sock"))  // never accepts: connect succeeds, no answer
        let uri = "qemu+unix:///system?socket=\(silent.path)"
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await ChildProcess.run([qmpsh, "exec", "libvirt+\(uri)#web1", "query-status", "--timeout", "1"])
        #expect(clock.now - start < .seconds(20))
        #expect(result.status == 3, "\(result)")
        #expect(result.standardError == "LibvirtError: no answer from libvirt at \(uri) within 1.0 seconds (is the host reachable?)\n")
        let list = try await ChildProcess.run([qmpsh, "domains", "--connect", uri, "--timeout", "1"])
        #expect(list.status == 3, "\(list)")
        #expect(list.standardError.hasPrefix("LibvirtError: no answer from libvirt"))
        silent.shutdown()
    }

    /// An unprivileged user (nobody) on the system daemon: refused, and told to run as root or join the group.
    @Test func permissionDenied() async throws {
        try await LibvirtHost.ready()
        // A copy nobody can run, wherever the build directory is (a checkout under /root is closed to others).
        let directory = try TemporaryDirectory(prefix: "qmpkit-lv")
        let copy = directory.file("qmpsh")
        let copied = try await Subprocess.run(["install", "-m", "0755", qmpsh, copy])
        #expect(copied.termination.isSuccess, "\(copied.standardError)")
        #expect(chmod(directory.path, 0o755) == 0)
        let result = try await ChildProcess.run([
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=/tmp", "XDG_RUNTIME_DIR=/tmp",
            copy, "exec", "libvirt:web1", "query-status",
        ])
        #expect(result.status == 3, "\(result)")
        #expect(result.standardError.hasPrefix("LibvirtError: permission denied on the libvirt socket"))
        #expect(result.standardError.contains("run as root or join the libvirt group"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test func badMonitorStrings() async throws {
        let result = try await ChildProcess.run([qmpsh, "exec", "libvirt+qemu+ssh://host/system", "query-status"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("no '#DOMAIN' after the URI"))
    }
}
