extension HMPNetworkInfo {
    /// Where the next ` \ ` line and `filters:` list go.
    private enum Position {
        case none
        case hub(Int)
        case entry(Int)
    }

    /// Which client a `filters:` list belongs to.
    private enum ClientPath {
        case entryClient(Int)
        case entryPeer(Int)
        case portPeer(hub: Int, port: Int)
    }

    /// Parses the output of `info network`.
    ///
    /// Empty output (no NICs or netdevs) gives an empty value. Throws ``HMPParseError`` when the text is not empty
    /// but holds no hub and no client line.
    public init(parsing text: String) throws {
        var info = HMPNetworkInfo()
        var position = Position.none
        var lastClient: ClientPath?
        var inFilters = false
        for line in InfoText.lines(text) {
            let trimmed = InfoText.trimmed(line)
            if trimmed.isEmpty { continue }
            if inFilters, trimmed.hasPrefix("- ") {
                if let filter = HMPNetworkFilter(line: trimmed.dropFirst(2)), let lastClient {
                    info.modifyClient(at: lastClient) { $0.filters.append(filter) }
                }
                continue
            }
            if trimmed == "filters:" {
                inFilters = true
                continue
            }
            // Any line we know ends a filter list; unknown lines do not.
            if trimmed.hasPrefix("\\") {
                inFilters = false
                let rest = InfoText.trimmed(trimmed.dropFirst())
                switch position {
                case .hub(let hub):
                    // " \ hub0port1: #net177: index=0,..." or " \ hp2" (a port with no peer)
                    var port = HMPNetworkHubPort(name: String(rest))
                    if let (name, peerText) = InfoText.split(rest, atFirst: ": "),
                        let peer = HMPNetworkClient(line: peerText)
                    {
                        port = HMPNetworkHubPort(name: String(name), peer: peer)
                        lastClient = .portPeer(hub: hub, port: info.hubs[hub].ports.count)
                    } else if rest.contains(where: \.isWhitespace) {
                        continue
                    }
                    info.hubs[hub].ports.append(port)
                case .entry(let entry):
                    if info.clients[entry].peer == nil, let peer = HMPNetworkClient(line: rest) {
                        info.clients[entry].peer = peer
                        lastClient = .entryPeer(entry)
                    }
                case .none:
                    break
                }
            } else if trimmed.hasPrefix("hub "), let id = InfoText.integer(trimmed.dropFirst("hub ".count)) {
                inFilters = false
                info.hubs.append(HMPNetworkHub(id: id))
                position = .hub(info.hubs.count - 1)
                lastClient = nil
            } else if let client = HMPNetworkClient(line: trimmed) {
                inFilters = false
                info.clients.append(HMPNetworkEntry(client: client))
                position = .entry(info.clients.count - 1)
                lastClient = .entryClient(info.clients.count - 1)
            }
        }
        if info.hubs.isEmpty, info.clients.isEmpty, !text.allSatisfy(\.isWhitespace) {
            throw InfoText.failure("info network", text, expected: "\"NAME: index=N,type=TYPE,...\" or \"hub N\"")
        }
        self = info
    }

    private mutating func modifyClient(at path: ClientPath, _ change: (inout HMPNetworkClient) -> Void) {
        switch path {
        case .entryClient(let entry):
            change(&clients[entry].client)
        case .entryPeer(let entry):
            if var peer = clients[entry].peer {
                change(&peer)
                clients[entry].peer = peer
            }
        case .portPeer(let hub, let port):
            if var peer = hubs[hub].ports[port].peer {
                change(&peer)
                hubs[hub].ports[port].peer = peer
            }
        }
    }
}

extension HMPNetworkClient {
    /// Reads `NAME: index=N,type=TYPE,DETAILS`; `nil` for any other line.
    init?(line: Substring) {
        guard let (name, rest) = InfoText.split(line, atFirst: ": index="), !name.isEmpty else { return nil }
        var scanner = InfoScanner(rest)
        let index = scanner.decimal()
        var type: Substring?
        if scanner.skip(",type=") {
            if let value = scanner.take(upTo: ",") {
                type = value
            } else {
                type = scanner.rest
                scanner = InfoScanner("")
            }
        }
        self.init(
            name: String(InfoText.trimmed(name)), queueIndex: index, type: type.map(String.init),
            details: String(InfoText.trimmed(scanner.rest)))
    }
}

extension HMPNetworkFilter {
    /// Reads `ID: type=...,key=value,...` (the part after `- `).
    init?(line: Substring) {
        guard let (id, rest) = InfoText.split(line, atFirst: ": "), !id.isEmpty else { return nil }
        self.init(id: String(id), parameters: HMPParameters(parsing: rest, separator: ","))
    }
}
