import ArgumentParser
import LineEditing
import MonitorShell
import QEMURunner
import QMP
import QMPWire
#if canImport(Glibc)
import Glibc
#endif

/// `qmpsh ps`: the guests qmpsh runs.
struct PS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps",
        abstract: "List the guests qmpsh runs (name, pid, uptime, monitor, console); removes the directories of ended ones.")

    @Flag(help: "One JSON object per guest.")
    var json = false

    func run() async throws {
        let guests = GuestDirectory.list()
        if json {
            for guest in guests {
                var object = try JSONValueEncoder().encode(guest)
                if case .object(var members) = object {
                    members["uptime"] = .int(Int64(guest.uptime))
                    object = .object(members)
                }
                Output.out(object.serialized() + "\n")
            }
            return
        }
        var lines = ["NAME\tPID\tUPTIME\tMONITOR\tCONSOLE"]
        for guest in guests {
            lines.append([guest.name ?? "-", "\(guest.pid)", Self.format(uptime: guest.uptime), guest.monitor, guest.console ?? "-"]
                .joined(separator: "\t"))
        }
        Output.out(lines.joined(separator: "\n") + "\n")
    }

    static func format(uptime: Double) -> String {
        let seconds = Int(uptime)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
        return "\(seconds / 3600)h\((seconds % 3600) / 60)m"
    }
}

/// Finds a running guest by name or pid, as a usage error when there is none.
func findGuest(_ name: String) throws -> GuestRecord {
    let guests = GuestDirectory.list()
    if let guest = guests.first(where: { $0.name == name || "\($0.pid)" == name }) { return guest }
    let known = guests.map { $0.name ?? "\($0.pid)" }
    throw ValidationError("no running guest '\(name)'" + (known.isEmpty ? " (qmpsh ps lists none)" : "; running: \(known.joined(separator: ", "))"))
}

/// `qmpsh stop NAME`: the shutdown ladder for a guest qmpsh runs.
struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a guest qmpsh runs: system_powerdown, then quit, SIGTERM and SIGKILL, each only if needed.")

    @Argument(help: "The guest's --name (or its pid, as qmpsh ps shows).")
    var name: String
    @Option(help: "Seconds the guest gets to power off after system_powerdown (0 skips it).")
    var powerdownTimeout: Double = 10

    func validate() throws {
        try checkSeconds(powerdownTimeout, "--powerdown-timeout", allowsZero: true)
    }

    func run() async throws {
        let guest = try findGuest(name)
        let say: (String) -> Void = { Output.err($0 + "\n") }
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = .seconds(2)
        configuration.defaultTimeout = .seconds(2)
        let client = try? await QMPClient.connect(to: .unix(path: guest.monitor), configuration: configuration)
        var ended = false
        if let client {
            if powerdownTimeout > 0 {
                say("# \(name): system_powerdown (up to \(powerdownTimeout) s)")
                _ = try? await client.execute("system_powerdown")
                ended = await GuestDirectory.waitForEnd(guest, timeout: Seconds.duration(clamping: powerdownTimeout, allowsZero: true))
            }
            if !ended {
                say("# \(name): quit")
                _ = try? await client.execute("quit")
                ended = await GuestDirectory.waitForEnd(guest, timeout: .seconds(5))
            }
            await client.close()
        } else {
            say("# \(name): its monitor does not answer")
        }
        for signal in [SIGTERM, SIGKILL] where !ended {
            say("# \(name): \(signal == SIGTERM ? "SIGTERM" : "SIGKILL") to pid \(guest.pid)")
            kill(Int32(guest.pid), signal)
            ended = await GuestDirectory.waitForEnd(guest, timeout: .seconds(5))
        }
        GuestDirectory.sweep()
        say(ended ? "# \(name): stopped" : "# \(name): still running")
        if !ended { throw ExitCode(1) }
    }
}

/// `qmpsh console NAME`: the serial console of a detached guest.
struct Console: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Attach this terminal to the serial console of a detached guest (Ctrl-] leaves; keys, Ctrl-C included, go to the guest, which runs on).")

    @Argument(help: "The guest's --name (or its pid, as qmpsh ps shows).")
    var name: String

    func run() async throws {
        let guest = try findGuest(name)
        guard let path = guest.console else {
            throw ValidationError("\(name) runs in the foreground: its console is the terminal qmpsh boot runs in")
        }
        let connection: SocketConnection
        do {
            connection = try SocketConnection.connect(to: .unix(path: path))
        } catch {
            Output.err("ConnectionError: \(error.message)\n")
            throw ExitCode(3)
        }
        let (output, continuation) = AsyncStream<[UInt8]>.makeStream()
        startReaderThread(connection, continuation)
        Output.err("# console of \(name): Ctrl-] leaves (the guest runs on; Ctrl-C is a key for it, qmpsh stop \(name) powers it down)\n")
        let outcome = await ConsoleTerminal.attach(output: output) { bytes in try? connection.send(bytes) }
        connection.shutdown()
        Output.err(outcome == .ended ? "\r\n# the console ended (the guest's QEMU exited)\n" : "\r\n")
    }

    private func startReaderThread(_ connection: SocketConnection, _ continuation: AsyncStream<[UInt8]>.Continuation) {
        Thread.start {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
            defer { buffer.deallocate() }
            while let count = try? connection.receive(into: buffer), count > 0 {
                continuation.yield(Array(buffer[0..<count]))
            }
            continuation.finish()
        }
    }
}

/// `qmpsh screenshot MONITOR FILE.png`.
struct ScreenshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screenshot",
        abstract: "Save the guest's screen as PNG (or .ppm) at FILE, relative to your folder (qmpsh converts if needed).")

    @OptionGroup var options: MonitorOptions
    @Argument(help: "Where to write the image (.png, or .ppm for QEMU's own format).")
    var file: String
    @Option(help: "The display device (QOM id) when the guest has several.")
    var device: String?

    func run() async throws {
        try await options.withClient { client in
            let size = try await Screenshot.capture(client, to: file, device: device)
            Output.err("# \(file): \(size.width)x\(size.height)\n")
        }
    }
}

/// `qmpsh type MONITOR 'text'` and `qmpsh type MONITOR --key ctrl-alt-f2`.
struct TypeKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "type",
        abstract: "Type on the guest's keyboard (send-key): TEXT key by key (\\n is Enter), or --key combinations.")

    @OptionGroup var options: MonitorOptions
    @Argument(help: "Text to type (US layout; \\n is Enter, \\t Tab).")
    var text: String?
    @Option(help: "A key combination such as ctrl-alt-f2, ret or esc (repeatable; pressed after TEXT).")
    var key: [String] = []

    func validate() throws {
        if text == nil && key.isEmpty { throw ValidationError("give TEXT, --key COMBO, or both") }
        do {
            _ = try KeyboardInput.chords(typing: text ?? "")
            for combination in key { _ = try KeyboardInput.chord(combination: combination) }
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let chords = try KeyboardInput.chords(typing: text ?? "") + key.map { try KeyboardInput.chord(combination: $0) }
        try await options.withClient { client in
            try await KeyboardInput.send(chords, to: client)
        }
    }
}

private enum Thread {
    static func start(_ body: @escaping @Sendable () -> Void) {
        startThread(body)
    }
}
