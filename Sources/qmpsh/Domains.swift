import ArgumentParser
import QMPLibvirt
import QMPWire

struct Domains: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains",
        abstract: "List the guests libvirt runs (to pick a libvirt:DOMAIN monitor).",
        discussion: """
            Lists every domain on the connection with its id and state; running and paused ones have a monitor.
            Examples:
              qmpsh domains
              qmpsh domains --connect qemu+ssh://host/system
              qmpsh exec libvirt:web1 query-status
            """
    )

    @Option(help: "The libvirt connection URI.")
    var connect: String = LibvirtMonitorAddress.defaultURI

    @Flag(help: "Print a JSON array (name, id, state, persistent, monitor) instead of a table.")
    var json = false

    @Option(help: "Seconds to wait for libvirt to answer.")
    var timeout: Double = 30

    func validate() throws {
        try checkSeconds(timeout, "--timeout")
    }

    func run() async throws {
        try await reportingErrors {
            let domains = try await LibvirtDomains.list(uri: connect, timeout: Seconds.duration(clamping: timeout))
            let monitor = { (name: String) in LibvirtMonitorAddress(uri: connect, domain: name).description }
            if json {
                let list: [JSON] = domains.map { domain in
                    .object([
                        "name": .string(domain.name), "id": domain.id.map { JSON.int(Int64($0)) } ?? .null,
                        "state": .string(domain.state.rawValue), "persistent": .bool(domain.persistent),
                        "monitor": domain.state.hasMonitor ? .string(monitor(domain.name)) : .null,
                    ])
                }
                Output.out(JSON.array(list).serialized() + "\n")
                return
            }
            var rows = [["ID", "NAME", "STATE", "MONITOR"]]
            for domain in domains {
                rows.append([
                    domain.id.map(String.init) ?? "-", domain.name, domain.state.rawValue,
                    domain.state.hasMonitor ? monitor(domain.name) : "-",
                ])
            }
            let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
                }
                Output.out(cells.joined(separator: "  ") + "\n")
            }
        }
    }
}
