#if canImport(Glibc)
import Glibc
#endif
import LineEditing
import QMP

extension MonitorREPL {
    /// Prints the events of monitor `index` as they arrive, until cancelled; notes when the monitor goes away.
    func watchEvents(of index: Int) async {
        guard let client = sessions[index].client else { return }
        let subscription = client.events(.all, bufferSize: 4096)
        do {
            for try await event in subscription {
                let (shown, filter) = state.withLock { ($0.showEvents, $0.eventFilter) }
                guard shown, Self.matches(event.name, filter) else { continue }
                print(Self.eventLine(event, monitor: sessions.count > 1 ? index + 1 : nil))
            }
            // The subscription ends quietly when the client is closed on this side; the peer going away throws.
            if client.isClosed, let error = client.closedError, error.code != .closedByClient {
                markLost(index, reason: error.message)
            }
        } catch let error as QMPConnectionError {
            markLost(index, reason: error.message)
        } catch {
            // Cancelled: the shell is ending.
        }
        subscription.cancel()
    }

    /// Whether an event name passes the filter (exact names, or prefixes ending in `*`; any case).
    static func matches(_ name: String, _ filter: [String]) -> Bool {
        guard !filter.isEmpty else { return true }
        let name = name.uppercased()
        return filter.contains { pattern in
            pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
        }
    }

    /// `[14:03:22.481] DEVICE_DELETED {"device":"vd1","path":"..."}` (local time of QEMU's timestamp), with the
    /// monitor's number when there are several.
    static func eventLine(_ event: QMPEvent, monitor: Int?) -> String {
        var data = ""
        if let object = event.data.objectValue, !object.isEmpty { data = " " + event.data.serialized(pretty: false) }
        let source = monitor.map { "\($0): " } ?? ""
        return "[\(clockTime(event.timestamp))] \(source)\(event.name)\(data)"
    }

    static func clockTime(_ timestamp: QMPTimestamp) -> String {
        var seconds = time_t(timestamp.seconds)
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = Int(timestamp.microseconds / 1000)
        let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)"
    }

    /// The first lines: QEMU's version and the VM's state for each monitor.
    func printBanner() async {
        var lines: [String] = []
        for (index, session) in sessions.enumerated() {
            let number = sessions.count > 1 ? "[\(index + 1)] " : ""
            if let client = session.client, client.greeting.raw["version"]?["qemu"] == nil {
                // Connected without reading a greeting (`-N`): nothing is known about the peer, and nothing is asked.
                lines.append("\(number)Connected to \(session.label) without a greeting")
            } else if let client = session.client {
                let status = (try? await client.execute("query-status", timeout: .seconds(5)))?["status"]?.stringValue
                lines.append("\(number)QEMU \(client.greeting.version) at \(session.label), VM \(status ?? "status unknown")")
            } else {
                let version = (try? await session.humanMonitor.run("info version", timeout: .seconds(5)))?.withPlainLineBreaks
                let status = (try? await session.humanMonitor.run("info status", timeout: .seconds(5)))?.withPlainLineBreaks
                let versionText = version?.trimmingWhitespace ?? "version unknown"
                let statusText = (status?.trimmingWhitespace).map { $0.replacingPrefix("VM status: ", with: "VM ") } ?? "status unknown"
                lines.append("\(number)QEMU \(versionText) at \(session.label) (HMP), \(statusText)")
            }
        }
        lines.append("Type .help for help, Tab to complete, Ctrl-D to leave.")
        print(lines.joined(separator: "\n"))
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
