import HMP
import LineEditing
import QMP
import QMPSchema

extension MonitorREPL {
    /// Candidates for the text before the cursor: shell commands and their arguments after a dot; HMP commands
    /// in HMP mode; otherwise command names, argument keys, enumeration values and live ids from the schema.
    func completion(for line: String) async -> LineCompletion {
        let trimmed = Substring(line).drop { $0.isWhitespace }
        if trimmed.hasPrefix(".") { return await shellCommandCompletion(String(trimmed)) }
        if let actions = await transactionCompletion(line) { return actions }
        let (index, hmpMode) = state.withLock { ($0.current, $0.hmpMode) }
        let session = sessions[index]
        if let agent = session.agent { return await agentCompletion(String(trimmed), agent: agent, on: index) }  // issue 16
        if hmpMode || !session.speaksQMP {
            let text = trimmed.hasPrefix("!") ? String(trimmed.dropFirst()) : String(trimmed)
            let completion = SchemaCompleter.completeHMP(
                lineBeforeCursor: text, live: await hmpValues(index, SchemaCompleter.hmpQueries(lineBeforeCursor: text)))
            return LineCompletion(word: completion.word, candidates: completion.candidates)
        }
        guard let live = session.live, let completer = await schemaCompleter(index) else {
            return LineCompletion(word: Self.lastWord(line), candidates: [])
        }
        let completion = await live.complete(lineBeforeCursor: line, with: completer)
        return LineCompletion(word: completion.word, candidates: completion.candidates)
    }

    private func schemaCompleter(_ index: Int) async -> SchemaCompleter? {
        if let cached = state.withLock({ $0.completers[index] }) { return cached }
        guard let schema = try? await sessions[index].schema() else { return nil }
        let completer = SchemaCompleter(schema: schema)
        state.withLock { $0.completers[index] = completer }
        return completer
    }

    /// HMP command names and `info` subcommands: through QMP's live values, or read from `help` on a direct
    /// human monitor (once). Drive, device and netdev names (for `change`, `eject`, `device_del`, ...): from QMP,
    /// or on a direct human monitor from `info block`, `info qtree` and `info network` (each time: they change).
    private func hmpValues(_ index: Int, _ queries: [LiveValueQuery] = []) async -> LiveValueSnapshot {
        let session = sessions[index]
        if let live = session.live {
            return await live.snapshot(Array(Set([.hmpCommands, .hmpInfoCommands] + queries)))
        }
        if !queries.isEmpty, queries.allSatisfy({ $0 != .hmpCommands && $0 != .hmpInfoCommands }) {
            var snapshot = LiveValueSnapshot()
            for query in queries { snapshot.values[query] = await Self.hmpNames(query, from: session.humanMonitor) }
            return snapshot
        }
        if let cached = state.withLock({ $0.hmpHelp[index] }) { return cached }
        let help = (try? await session.humanMonitor.run("help", timeout: .seconds(5))) ?? ""
        let info = (try? await session.humanMonitor.run("info", timeout: .seconds(5))) ?? ""
        let snapshot = LiveValueSnapshot([
            .hmpCommands: HMPHelpParser.commandNames(inHelp: help.withPlainLineBreaks),
            .hmpInfoCommands: HMPHelpParser.infoSubcommands(inHelp: info.withPlainLineBreaks),
        ])
        if !help.isEmpty { state.withLock { $0.hmpHelp[index] = snapshot } }
        return snapshot
    }

    /// Names a direct human monitor lists: drives and removable devices (`info block`), device ids (`info qtree`),
    /// netdev ids (`info network`).
    static func hmpNames(_ query: LiveValueQuery, from monitor: any HumanMonitor) async -> [String] {
        func text(_ command: String) async -> String {
            ((try? await monitor.run(command, timeout: .seconds(5))) ?? "").withPlainLineBreaks
        }
        switch query {
        case .blockBackendNames:
            return ((try? HMPBlockDevice.parse(await text("info block"))) ?? []).compactMap(\.device)
        case .removableBlockDeviceIDs:
            return ((try? HMPBlockDevice.parse(await text("info block"))) ?? [])
                .filter(\.removable).compactMap(\.attachedTo).filter { !$0.hasPrefix("/") }
        case .deviceIDs:
            // `dev: virtio-net-pci, id "nic1"`
            return await text("info qtree").split(separator: "\n").compactMap { line -> String? in
                guard line.contains("dev: "), let open = line.firstRange(of: ", id \"") else { return nil }
                let id = line[open.upperBound...].prefix { $0 != "\"" }
                return id.isEmpty ? nil : String(id)
            }
        case .netdevIDs:
            guard let network = try? HMPNetworkInfo(parsing: await text("info network")) else { return [] }
            let clients = network.clients.flatMap { [$0.client] + ($0.peer.map { [$0] } ?? []) }
                + network.hubs.flatMap { $0.ports.compactMap(\.peer) }
            return clients.filter { $0.type != "nic" && !$0.name.hasPrefix("#") }.map(\.name)
        default:
            return []
        }
    }

    private func shellCommandCompletion(_ text: String) async -> LineCompletion {
        let word = Self.lastWord(text)
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let before = word.isEmpty ? words : Array(words.dropLast())
        func offer(_ values: [String]) -> LineCompletion {
            LineCompletion(word: word, candidates: values.filter { $0.hasPrefix(word) })
        }
        guard let command = before.first else { return offer(Self.shellCommands.map(\.name)) }
        switch (command, before.count) {
        case (".events", 1):
            return offer(["filter", "off", "on"])
        case (".events", _) where before[1] == "filter":
            let index = state.withLock { $0.current }
            let names = (try? await sessions[index].schema())?.eventNames ?? []
            return LineCompletion(
                word: word, candidates: names.filter { $0.hasPrefix(word.uppercased()) && !before.contains($0) })
        case (".pretty", 1), (".time", 1), (".hmp", 1):
            return offer(["off", "on"])
        case (".record", 1):
            return offer(["off"])
        case (".use", 1):
            return offer(sessions.indices.map { String($0 + 1) })
        case (".help", 1):
            let (index, hmpMode) = state.withLock { ($0.current, $0.hmpMode) }
            if hmpMode || !sessions[index].speaksQMP {
                return offer(await hmpValues(index).values(for: .hmpCommands) ?? [])
            }
            let names = (try? await sessions[index].schema())?.commandNames ?? []
            return offer(Self.shellCommands.map(\.name) + names)
        default:
            return LineCompletion(word: word, candidates: [])
        }
    }

    /// The word before the cursor (after the last space).
    static func lastWord(_ text: String) -> String {
        String(text.reversed().prefix { !$0.isWhitespace }.reversed())
    }
}
