#if canImport(Glibc)
import Glibc
#endif
import Testing
import HMP
import QMP
import QMPTestSupport

/// The human monitor against a real QEMU, through QMP and over its own socket.
@Suite(.timeLimit(.minutes(2))) struct HMPIntegrationTests {
    /// A QEMU (default machine, paused) with a CD drive `ide1-cd0` holding A.iso, a QMP monitor and an HMP socket.
    struct Classic {
        let directory: TemporaryDirectory
        let qemu: QEMUProcess
        let client: QMPClient
        let hmpPath: String
        let isoA: String
        let isoB: String
    }

    static func makeISO(_ directory: TemporaryDirectory, _ name: String, label: String) async throws -> String {
        let content = directory.file("\(name)-LABEL")
        try ChildProcess.writeFile(content, label)
        let iso = directory.file("\(name).iso")
        let result = try await ChildProcess.run(["genisoimage", "-quiet", "-V", label, "-o", iso, content])
        guard result.status == 0 else { throw TestSupportError("genisoimage failed (scripts/setup.sh installs it): \(result)") }
        return iso
    }

    static func classic() async throws -> Classic {
        let directory = try TemporaryDirectory(prefix: "qmpkit-hmp")
        let isoA = try await makeISO(directory, "A", label: "DISC_A")
        let isoB = try await makeISO(directory, "B", label: "DISC_B")
        let hmpPath = directory.file("hmp.sock")
        let qemu = try QEMUProcess.launch(arguments: [
            "-S", "-drive", "if=ide,index=2,media=cdrom,file=\(isoA)",
            "-monitor", "unix:\(hmpPath),server=on,wait=off",
        ])
        // Once QMP answers, QEMU has finished setting up, so the HMP socket exists too.
        let client = try await qemu.connect()
        return Classic(directory: directory, qemu: qemu, client: client, hmpPath: hmpPath, isoA: isoA, isoB: isoB)
    }

    @Test func classicMediaSwapOverQMP() async throws {
        let setup = try await Self.classic()
        let before = try await setup.client.hmp("info block")
        #expect(before.contains("ide1-cd0 (#block"))
        #expect(before.contains(setup.isoA))
        #expect(try await setup.client.hmp("change ide1-cd0 \(setup.isoB)") == "")
        let after = try await setup.client.hmp("info block")
        #expect(after.contains(setup.isoB))
        #expect(!after.contains(setup.isoA))
        await setup.client.close()
    }

    @Test func classicMediaSwapOverTheHMPSocket() async throws {
        let setup = try await Self.classic()
        let monitor = try await HMPSocketClient.connect(to: .unix(path: setup.hmpPath))
        // The version of whichever QEMU runs the suite (QMPKIT_QEMU selects one of the matrix).
        let version = setup.client.greeting.version
        #expect(monitor.banner.hasPrefix("QEMU \(version.major).\(version.minor)."))
        #expect(monitor.banner.hasSuffix("monitor - type 'help' for more information"))
        let before = try await monitor.run("info block", timeout: .seconds(10))
        #expect(before.contains(setup.isoA))
        #expect(try await monitor.run("change ide1-cd0 \(setup.isoB)", timeout: .seconds(10)) == "")
        let after = try await monitor.run("info block", timeout: .seconds(10))
        #expect(after.contains(setup.isoB))
        // The same text as human-monitor-command returns for the same command.
        #expect(after == (try await setup.client.hmp("info block")))
        #expect(try await monitor.run("info status", timeout: .seconds(10)) == (try await setup.client.hmp("info status")))
        await monitor.close()
        await setup.client.close()
    }

    @Test func failuresAreThrownOnBothPaths() async throws {
        let setup = try await Self.classic()
        let monitor = try await HMPSocketClient.connect(to: .unix(path: setup.hmpPath))
        for path: any HumanMonitor in [QMPHumanMonitor(client: setup.client), monitor] {
            await #expect(throws: HMPError.self) { try await path.run("no-such-command", timeout: .seconds(10)) }
            await #expect {
                try await path.run("change ide1-cd0 /nonexistent/x.iso", timeout: .seconds(10))
            } throws: { error in
                (error as? HMPError)?.message.hasPrefix("Could not open '/nonexistent/x.iso'") == true
            }
            await #expect {
                try await path.run("eject nosuch", timeout: .seconds(10))
            } throws: { error in
                (error as? HMPError)?.message == "Device 'nosuch' not found"
            }
            // Still usable after failures.
            #expect(try await path.run("info status", timeout: .seconds(10)) == "VM status: paused (prelaunch)\r\n")
        }
        await monitor.close()
        await setup.client.close()
    }

    @Test func manyCommandsInFlightOnTheSocket() async throws {
        let setup = try await Self.classic()
        let monitor = try await HMPSocketClient.connect(to: .unix(path: setup.hmpPath))
        let replies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for n in 0..<20 {
                group.addTask { (n, try await monitor.run(n % 2 == 0 ? "info status" : "info version", timeout: .seconds(10))) }
            }
            var replies: [Int: String] = [:]
            for try await (n, text) in group { replies[n] = text }
            return replies
        }
        let version = setup.client.greeting.version
        for (n, text) in replies {
            #expect(n % 2 == 0 ? text.hasPrefix("VM status:") : text.hasPrefix("\(version.major)."), "reply \(n): \(text)")
        }
        await monitor.close()
        await setup.client.close()
    }

    @Test func socketGoingAwayFailsPendingCommandsAtOnce() async throws {
        let setup = try await Self.classic()
        let monitor = try await HMPSocketClient.connect(to: .unix(path: setup.hmpPath))
        setup.qemu.kill(SIGSTOP)
        let pending = Task { try await monitor.run("info status", timeout: .seconds(30)) }
        let timedOut = Task { try await monitor.run("info version", timeout: .milliseconds(200)) }
        await #expect(throws: QMPTimeoutError.self) { try await timedOut.value }
        setup.qemu.kill(SIGKILL)
        await #expect {
            try await pending.value
        } throws: { error in
            (error as? QMPConnectionError)?.code == .closedByPeer
        }
        await #expect(throws: QMPConnectionError.self) { try await monitor.run("info status", timeout: .seconds(1)) }
        await monitor.close()
        await setup.client.close()
    }

    @Test func busyMonitorGivesNoBanner() async throws {
        let setup = try await Self.classic()
        let first = try await HMPSocketClient.connect(to: .unix(path: setup.hmpPath))
        await #expect {
            try await HMPSocketClient.connect(to: .unix(path: setup.hmpPath), bannerTimeout: .milliseconds(300))
        } throws: { error in
            (error as? QMPConnectionError)?.code == .noGreeting
        }
        await first.close()
        await setup.client.close()
    }

    @Test func qmpshHMPOnBothPaths() async throws {
        let setup = try await Self.classic()
        let qmpsh = ChildProcess.productsDirectory + "/qmpsh"
        let direct = try await ChildProcess.run([qmpsh, "hmp", "hmp:" + setup.hmpPath, "info status"])
        #expect(direct.status == 0, "\(direct)")
        #expect(direct.standardOutput == "VM status: paused (prelaunch)\n")
        await setup.client.close()  // QMP serves one client: free it for qmpsh
        let viaQMP = try await ChildProcess.run([qmpsh, "hmp", setup.qemu.monitorPath, "change", "ide1-cd0", setup.isoB])
        #expect(viaQMP.status == 0, "\(viaQMP)")
        let block = try await ChildProcess.run([qmpsh, "hmp", "hmp:" + setup.hmpPath, "info block"])
        #expect(block.standardOutput.contains(setup.isoB))
        let failed = try await ChildProcess.run([qmpsh, "hmp", "hmp:" + setup.hmpPath, "eject nosuch"])
        #expect(failed.status == 1)
        #expect(failed.standardError == "HMPError: Device 'nosuch' not found\n")
    }
}
