#if canImport(Glibc)
import Glibc
#endif
import Testing
import QMP
import QMPTestSupport

/// Carried over from session 4: a direct human monitor (`qmpsh hmp hmp:PATH`, QEMU's
/// `-monitor unix:PATH,server=on,wait=off`) that is held by another client waited out the whole `--timeout`,
/// where a QMP socket is reported busy within 2 s (`BusyMonitorTests`). Both ways it can be busy: held with room in
/// the listen queue (accepted, but no banner comes), and held with the queue full (connect itself waits).
@Suite(.timeLimit(.minutes(2)), .serialized) struct HMPBusyMonitorTests {
    let qmpsh = ChildProcess.qmpsh

    @Test func aHeldHumanMonitorIsReportedBusyWithinTwoSecondsWithOrWithoutRoomInItsQueue() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-hmp-busy")
        let hmpPath = directory.file("hmp.sock")
        let qemu = try QEMUProcess.launch(arguments: ["-machine", "none", "-monitor", "unix:\(hmpPath),server=on,wait=off"])
        defer { qemu.kill() }
        // QEMU created its chardevs before it answers on QMP: the HMP socket exists once a QMP command is answered.
        let client = try await qemu.connect()
        _ = try await client.execute("query-status")
        await client.close()
        // The holder: the one client QEMU's human monitor serves.
        let holder = try await HumanMonitorHolder.connect(hmpPath)
        defer { close(holder) }
        let clock = ContinuousClock()
        func expectBusy(_ situation: String) async throws {
            for arguments in [["hmp", "hmp:" + hmpPath, "info status"], ["shell", "hmp:" + hmpPath]] {
                let start = clock.now
                let result = try await ChildProcess.run([qmpsh] + arguments + ["--timeout", "30"], timeout: .seconds(40))
                let took = clock.now - start
                #expect(result.status == 3, "\(situation), \(arguments): \(result)")
                #expect(result.standardError.contains("busy"), "\(situation), \(arguments): \(result)")
                #expect(!result.standardError.contains("QMP serves"), "an HMP monitor is not QMP: \(result)")
                // Session 6: nor a guest agent's (`qmpsh hmp` added "... write qga:PATH").
                #expect(!result.standardError.contains("qga:"), "an HMP monitor is not an agent: \(result)")
                // 2 s of waiting, plus starting a debug build on a loaded machine; the 30 s --timeout must not be
                // waited out.
                #expect(took < .seconds(8), "\(situation), \(arguments) took \(took): \(result)")
            }
        }
        try await expectBusy("held, room in the listen queue")
        // The clients above left their connections in QEMU's queue (it accepts none while it serves the holder);
        // fill what room is left, so that connect itself has to wait.
        let waiting = BusyMonitorTests.fillListenQueue(hmpPath)
        defer { for descriptor in waiting { close(descriptor) } }
        #expect(waiting.count < 8, "the listen queue took all of 8 connects")
        try await expectBusy("held, listen queue full")
    }
}

/// A plain blocking client on a Unix socket that reads the human monitor's banner, so that QEMU serves it.
enum HumanMonitorHolder {
    static func connect(_ path: String) async throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw TestSupportError("cannot connect to \(path): \(String(cString: strerror(errno)))")
        }
        // Wait (with a deadline) for the banner's prompt: QEMU serves this client from then on.
        var seen = ""
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let deadline = ContinuousClock.now + .seconds(20)
        while !seen.contains("(qemu)") {
            let left = deadline - .now
            guard left > .zero, poll(&entry, 1, Int32(left.components.seconds * 1000 + 1)) == 1 else {
                close(descriptor)
                throw TestSupportError("no HMP banner from \(path) within 20 s")
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else {
                close(descriptor)
                throw TestSupportError("the human monitor closed the connection")
            }
            seen += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return descriptor
    }
}
