import Testing
import QMP
import QMPTestSupport

/// End-to-end: the built `qmpsh` binary against a real QEMU, checking what users see and the exit codes.
@Suite(.timeLimit(.minutes(2))) struct QMPSHTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    @Test func execPrintsTheReturnValue() async throws {
        let qemu = try QEMUProcess.launch()
        let result = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "query-status"])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput == #"{"status":"running","singlestep":false,"running":true}"# + "\n")
        #expect(result.standardError.isEmpty)
        let pretty = try await ChildProcess.run([qmpsh, "exec", "unix:" + qemu.monitorPath, "query-status", "--pretty"])
        #expect(pretty.standardOutput.contains("\n  \"status\": \"running\",\n"))
    }

    @Test func execPassesKeyValueArguments() async throws {
        let qemu = try QEMUProcess.launch()
        let result = try await ChildProcess.run([
            qmpsh, "exec", qemu.monitorPath, "human-monitor-command", "command-line=info status",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains("VM status: running"))
        let nested = try await ChildProcess.run([
            qmpsh, "exec", qemu.monitorPath, "object-add", "qom-type=memory-backend-ram", "id=mem1", "size=1048576",
        ])
        #expect(nested.status == 0, "\(nested)")
        let size = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "qom-get", "path=/objects/mem1", "property=size"])
        #expect(size.standardOutput == "1048576\n")
    }

    @Test func failedCommandExitsOneWithTheErrorClass() async throws {
        let qemu = try QEMUProcess.launch()
        // --no-validate: the command reaches QEMU, which answers CommandNotFound (validation is tested elsewhere).
        let result = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "no-such-command", "--no-validate"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "CommandNotFound: The command no-such-command has not been found\n")
        let missing = try await ChildProcess.run([qmpsh, "exec", qemu.monitorPath, "device_del", "id=nope"])
        #expect(missing.status == 1)
        #expect(missing.standardError == "DeviceNotFound: Device 'nope' not found\n")
    }

    @Test func badUsageExitsTwoAndSendsNothing() async throws {
        let badArgument = try await ChildProcess.run([qmpsh, "exec", "/tmp/unused.sock", "cmd", "a..b=1"])
        #expect(badArgument.status == 2)
        #expect(badArgument.standardError.contains("invalid argument name 'a..b'"))
        let noMonitor = try await ChildProcess.run([qmpsh, "exec"])
        #expect(noMonitor.status == 2)
        let badAddress = try await ChildProcess.run([qmpsh, "exec", "tcp:host", "query-status"])
        #expect(badAddress.status == 2)
        #expect(badAddress.standardError.contains("tcp:HOST:PORT"))
    }

    @Test func unreachableMonitorExitsThree() async throws {
        let result = try await ChildProcess.run([qmpsh, "exec", "/tmp/qmpkit-none/x.sock", "query-status"])
        #expect(result.status == 3)
        #expect(result.standardError.hasPrefix("ConnectionError: cannot connect to /tmp/qmpkit-none/x.sock: no such socket"))
    }

    @Test func hmpPrintsText() async throws {
        let qemu = try QEMUProcess.launch()
        let result = try await ChildProcess.run([qmpsh, "hmp", qemu.monitorPath, "info status"])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput == "VM status: running\n")
    }

    @Test func eventsPrintsJSONLines() async throws {
        // QMP serves one client per monitor, so the events client gets a second monitor of its own.
        let directory = try TemporaryDirectory()
        let second = directory.file("events.sock")
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "none", "-qmp", "unix:\(second),server=on,wait=off"])
        let client = try await qemu.connect()
        // The second monitor exists once QEMU answers on the first.
        _ = try await client.execute("query-status")
        let events = Task { try await ChildProcess.run([qmpsh, "events", second, "--name", "STOP", "--name", "RESUME", "--count", "2", "--timeout", "20"]) }
        // QEMU sends events only to monitors that have finished negotiating, and nothing tells this test when the
        // events client has; so keep pausing and resuming the VM until it has printed two events.
        let driver = Task {
            while !Task.isCancelled {
                _ = try await client.execute("stop")
                _ = try await client.execute("cont")
            }
        }
        let finished: ProcessResult? = try await events.value as ProcessResult?
        driver.cancel()
        _ = try? await driver.value
        let result = try #require(finished)
        #expect(result.status == 0, "\(result) \(qemu.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map { try? JSON(parsing: String($0)) }
        #expect(lines.count == 2)
        #expect(Set(lines.compactMap { $0?["event"]?.stringValue }) == ["STOP", "RESUME"])
        #expect(lines.first??["timestamp"]?["seconds"] != nil)
        await client.close()
    }

    @Test func eventsTimeoutWithCountExitsOne() async throws {
        let qemu = try QEMUProcess.launch()
        let result = try await ChildProcess.run([qmpsh, "events", qemu.monitorPath, "--count", "1", "--timeout", "0.3"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("Timeout: fewer than 1 events"))
    }

    @Test func eventsExitThreeWhenQEMUGoesAway() async throws {
        let qemu = try QEMUProcess.launch()
        let events = Task { try await ChildProcess.run([qmpsh, "events", qemu.monitorPath, "--timeout", "30"]) }
        // Kill QEMU once the events client is connected: a second client gets no greeting while it holds the monitor.
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = .seconds(1)
        while true {
            do {
                let probe = try await qemu.connect(configuration: configuration)
                await probe.close()
            } catch let error as QMPConnectionError where error.code == .noGreeting {
                break
            }
        }
        qemu.kill()
        let result = try await events.value
        #expect(result.status == 3, "\(result)")
        #expect(result.standardError.hasPrefix("ConnectionError:"))
    }
}
