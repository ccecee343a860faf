public import QMP

/// Live values (device ids, node names, drivers, ...) fetched from a monitor, cached per prompt.
///
/// Values that change as devices come and go are kept until ``beginPrompt()``; those fixed for the connection
/// (``LiveValueQuery/isFixedForConnection``: device types and their properties, machine types, HMP commands) are
/// kept for the life of the object. Concurrent requests for one query share one fetch. A query that fails (an old
/// QEMU without the command, a timeout) gives no values rather than an error: completion never fails.
///
/// ```swift
/// let live = LiveValues(client: client)
/// let completer = SchemaCompleter(schema: try await QAPISchema.load(from: client))
/// await live.beginPrompt()
/// let completion = await live.complete(lineBeforeCursor: "device_del id=", with: completer)   // ["id=vd0", ...]
/// ```
public actor LiveValues {
    /// The monitor the values come from.
    public let client: QMPClient
    /// Time limit for each query.
    public let timeout: Duration

    private var cache: [LiveValueQuery: Task<[String]?, Never>] = [:]

    /// Creates a value from its members.
    public init(client: QMPClient, timeout: Duration = .seconds(5)) {
        self.client = client
        self.timeout = timeout
    }

    /// Forgets the values that can change (call before each prompt).
    public func beginPrompt() {
        cache = cache.filter { $0.key.isFixedForConnection }
    }

    /// The values of `query`, fetched if not cached; empty when the monitor cannot tell.
    public func values(for query: LiveValueQuery) async -> [String] {
        await lookup(query) ?? []
    }

    /// The values of `query`, or `nil` when fetching them failed (for example, an unknown `device_add` driver).
    public func lookup(_ query: LiveValueQuery) async -> [String]? {
        if let task = cache[query] { return await task.value }
        let task = Task { [client, timeout] in await Self.fetch(query, client: client, timeout: timeout) }
        cache[query] = task
        let values = await task.value
        if values == nil, query.isFixedForConnection { cache[query] = nil }
        return values
    }

    /// Fetches all of `queries` (at once, several commands in flight) and returns them as a snapshot.
    public func snapshot(_ queries: [LiveValueQuery]) async -> LiveValueSnapshot {
        var snapshot = LiveValueSnapshot()
        await withTaskGroup(of: (LiveValueQuery, [String]).self) { group in
            for query in queries {
                group.addTask { (query, await self.values(for: query)) }
            }
            for await (query, values) in group { snapshot.values[query] = values }
        }
        return snapshot
    }

    /// Completes a line with the live values it needs (fetched, or taken from the cache).
    public func complete(lineBeforeCursor line: String, with completer: SchemaCompleter) async -> Completion {
        let snapshot = await snapshot(completer.liveQueries(forLineBeforeCursor: line))
        return completer.complete(lineBeforeCursor: line, live: snapshot)
    }

    /// Validates like ``QAPISchema/validate(command:arguments:deviceDrivers:deviceProperties:)``, fetching what
    /// `device_add` needs from the monitor: the device types (the driver must be one) and the driver's properties
    /// (every argument besides `driver`, `id` and `bus` must be one). Where the monitor cannot tell, those are let
    /// through.
    public func validate(command: String, arguments: JSONObject, schema: QAPISchema) async -> SchemaValidationReport {
        guard command == "device_add", let driver = arguments["driver"]?.stringValue else {
            return schema.validate(command: command, arguments: arguments)
        }
        async let drivers = lookup(.deviceDrivers)
        async let properties = lookup(.deviceProperties(driver: driver))
        return schema.validate(
            command: command, arguments: arguments, deviceDrivers: await drivers, deviceProperties: await properties)
    }

    // MARK: - Fetching

    /// One query's values, read from the raw replies so that any QEMU version's shape works.
    static func fetch(_ query: LiveValueQuery, client: QMPClient, timeout: Duration) async -> [String]? {
        func execute(_ name: String, _ arguments: JSON? = nil) async -> JSON? {
            try? await client.execute(name, arguments: arguments, timeout: timeout)
        }
        func hmp(_ line: String) async -> String? {
            await execute(HumanMonitorCommand.name, ["command-line": .string(line)])?.stringValue
        }
        func children(of path: String) async -> [String]? {
            guard let list = await execute(QOMList.name, ["path": .string(path)])?.arrayValue else { return nil }
            return list.compactMap { property in
                guard property["type"]?.stringValue?.hasPrefix("child<") == true else { return nil }
                return property["name"]?.stringValue
            }
        }
        func names(_ reply: JSON?, _ key: String) -> [String]? {
            reply?.arrayValue?.compactMap { $0[key]?.stringValue }
        }
        switch query {
        case .deviceIDs:
            return await children(of: "/machine/peripheral")
        case .objectIDs:
            return await children(of: "/objects")
        case .blockNodeNames:
            // `flat` (QEMU 5.0 and later) leaves out the backing chains nested in each node.
            if let flat = names(await execute(QueryNamedBlockNodes.name, ["flat": true]), "node-name") { return flat }
            return names(await execute(QueryNamedBlockNodes.name), "node-name")
        case .blockDeviceIDs, .removableBlockDeviceIDs:
            guard let list = await execute(QueryBlock.name)?.arrayValue else { return nil }
            return list.compactMap { backend in
                if query == .removableBlockDeviceIDs, backend["removable"]?.boolValue != true { return nil }
                return backend["qdev"]?.stringValue.flatMap(Self.deviceID(fromQdev:))
            }
        case .blockBackendNames:
            return names(await execute(QueryBlock.name), "device")?.filter { !$0.isEmpty }
        case .chardevIDs:
            return names(await execute(QueryChardev.name), "label")
        case .netdevIDs:
            return await hmp("info network").map(HMPHelpParser.netdevIDs(inInfoNetwork:))
        case .busNames:
            return await hmp("info qtree").map(HMPHelpParser.busNames(inInfoQtree:))
        case .qomPaths:
            async let devices = children(of: "/machine/peripheral")
            async let objects = children(of: "/objects")
            return ["/machine", "/machine/peripheral", "/machine/peripheral-anon", "/machine/unattached", "/objects"]
                + (await devices ?? []).map { "/machine/peripheral/" + $0 } + (await objects ?? []).map { "/objects/" + $0 }
        case .deviceDrivers:
            return names(await execute("qom-list-types", ["implements": "device", "abstract": false]), "name")?.sorted()
        case .deviceProperties(let driver):
            return names(await execute(DeviceListProperties.name, ["typename": .string(driver)]), "name")
        case .machineTypes:
            guard let list = await execute(QueryMachines.name)?.arrayValue else { return nil }
            return Array(Set(list.flatMap { [$0["name"]?.stringValue, $0["alias"]?.stringValue].compactMap { $0 } })).sorted()
        case .hmpCommands:
            return await hmp("help").map(HMPHelpParser.commandNames(inHelp:))
        case .hmpInfoCommands:
            return await hmp("info").map(HMPHelpParser.infoSubcommands(inHelp:))
        }
    }

    /// `cdrom0` → `cdrom0`, `/machine/peripheral/vd0/virtio-backend` → `vd0`; anonymous devices have no id.
    static func deviceID(fromQdev qdev: String) -> String? {
        let prefix = "/machine/peripheral/"
        if qdev.hasPrefix(prefix) {
            let id = qdev.dropFirst(prefix.count).prefix { $0 != "/" }
            return id.isEmpty ? nil : String(id)
        }
        return qdev.hasPrefix("/") || qdev.isEmpty ? nil : qdev
    }
}
