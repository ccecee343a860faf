import ArgumentParser
import QMP
import QMPWire

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the monitor's events as JSON lines.",
        discussion: """
            Runs until --count events were printed, --timeout seconds passed, or the monitor went away (exit 3).
            With --count, reaching the time limit first is a failure (exit 1).
            Events dropped because the output did not keep up are reported on stderr (and with --count, exit 1).
            Example: qmpsh events /tmp/qmp.sock --name DEVICE_DELETED --count 1 --timeout 30
            """
    )

    @Argument(help: "The monitor: /path.sock, unix:/path.sock, tcp:HOST:PORT, libvirt:DOMAIN or libvirt+URI#DOMAIN.")
    var monitor: String

    @Option(name: .long, help: "Only events with this name (repeatable).")
    var name: [String] = []

    @Option(help: "Stop after this many events.")
    var count: Int?

    @Option(help: "Stop after this many seconds (default: no limit).")
    var timeout: Double?

    @Flag(help: "Print each event indented over several lines.")
    var pretty = false

    @OptionGroup var wire: WireOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let timeout { try checkSeconds(timeout, "--timeout") }
        try validateQMPMonitor(monitor)
    }

    func run() async throws {
        let filter = name.isEmpty ? QMPEventFilter.all : QMPEventFilter(names: Set(name))
        let limit = timeout.map { Seconds.duration(clamping: $0) }
        let tap = try wire.tap()
        defer { tap.close() }
        try await reportingErrors {
            var configuration = QMPClient.Configuration()
            if let limit { configuration.greetingTimeout = limit }
            configuration.busyTimeout = busyMonitorLimit  // issue 15: a held monitor is reported within 2 s
            tap.apply(to: &configuration, monitor: monitor)
            try await withQMPClient(monitor, configuration: configuration) { client in
                // QEMU sends events only after negotiation: replaying from the start of the connection loses none that
                // came between negotiation and this subscription.
                let subscription = client.events(filter, bufferSize: 65536, replayingAfter: EventCursor(sequence: 0))
                // Nothing is lost without a word: a reader slower than the monitor loses events from the buffer.
                func reportDrops() -> Bool {
                    let dropped = subscription.droppedCount
                    guard dropped > 0 else { return false }
                    Output.err("Dropped: \(dropped) events were dropped because the output did not keep up (65536 buffered)\n")
                    return true
                }
                let printed: Int?
                do {
                    printed = try await printEvents(subscription, limit: limit)
                } catch {
                    _ = reportDrops()
                    throw error
                }
                let dropped = reportDrops()
                if printed == nil, let count {
                    // Fewer events than asked for is a failed expectation (exit 1), not a lost monitor.
                    Output.err("Timeout: fewer than \(count) events within \(timeout ?? 0) seconds\n")
                    throw ExitCode(1)
                }
                if dropped && count != nil { throw ExitCode(1) }
            }
        }
    }

    /// Prints events until --count, the time limit (returns `nil`) or the end of the connection.
    private func printEvents(_ subscription: QMPEventSubscription, limit: Duration?) async throws -> Int? {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                var printed = 0
                for try await event in subscription {
                    Output.out(event.json.serialized(pretty: pretty) + "\n")
                    printed += 1
                    if let count, printed >= count { break }
                }
                if count != nil && printed < (count ?? 0) {
                    throw QMPConnectionError(.closedByPeer, "the monitor went away after \(printed) events")
                }
                return printed
            }
            if let limit {
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
            }
            let first = try await group.next()!
            group.cancelAll()
            subscription.cancel()
            return first
        }
    }
}
