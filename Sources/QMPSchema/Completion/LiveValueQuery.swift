/// A list of names that only the running QEMU knows, for completion (and for checking `device_add`).
public enum LiveValueQuery: Hashable, Sendable {
    /// Ids of devices added with an id: `qom-list /machine/peripheral`.
    case deviceIDs
    /// Block node names: `query-named-block-nodes`.
    case blockNodeNames
    /// Ids of devices with a block backend (`qdev` of `query-block`), the id for the `id` argument of
    /// `blockdev-change-medium`, `eject` and the tray commands.
    case blockDeviceIDs
    /// Those of ``blockDeviceIDs`` with removable media (CD-ROM, floppy).
    case removableBlockDeviceIDs
    /// Names of block backends (`device` of `query-block`): the ids of `-drive`.
    case blockBackendNames
    /// Network backend ids (`netdev_add id=`). QEMU 7.2 has no QMP query for them; read from HMP `info network`.
    case netdevIDs
    /// Character device ids: `query-chardev`.
    case chardevIDs
    /// Ids of user-created objects (`object-add`): `qom-list /objects`.
    case objectIDs
    /// Bus names (`pci.0`, `ide.1`, a root port's id): HMP `info qtree`.
    case busNames
    /// QOM paths for `qom-list`/`qom-get`/`qom-set`: `/machine`, `/machine/peripheral/ID`, `/objects/ID`, ...
    case qomPaths
    /// Device types `device_add` can create: `qom-list-types implements=device abstract=false`.
    case deviceDrivers
    /// The properties of one device type: `device-list-properties`.
    case deviceProperties(driver: String)
    /// Machine types and their aliases: `query-machines`.
    case machineTypes
    /// HMP command names: HMP `help`.
    case hmpCommands
    /// HMP `info` subcommands: HMP `info`.
    case hmpInfoCommands

    /// Whether the values stay the same for the whole connection (types, commands), rather than changing as
    /// devices come and go. ``LiveValues/beginPrompt()`` keeps these.
    public var isFixedForConnection: Bool {
        switch self {
        case .deviceDrivers, .deviceProperties, .machineTypes, .hmpCommands, .hmpInfoCommands: return true
        default: return false
        }
    }
}

/// Which live values complete which argument: a table from a command and an argument path to queries, plus rules
/// by argument name. ``standard`` covers the hot-plug, block and media commands; add entries for others.
public struct LiveValueTable: Sendable {
    /// `entries[command][argumentPath]`.
    public var entries: [String: [String: [LiveValueQuery]]]

    /// Creates a value from its members.
    public init(entries: [String: [String: [LiveValueQuery]]]) {
        self.entries = entries
    }

    /// The queries whose values complete `path` (dotted) of `command`.
    ///
    /// Besides the entries: an argument named `node-name` (except where `blockdev-add` and `blockdev-create` create
    /// one) takes node names, and `file`, `backing` and `data-file` in `blockdev-add` and `blockdev-reopen` (node
    /// references, at any depth) take node names too.
    public func queries(command: String, path: String) -> [LiveValueQuery] {
        if let queries = entries[command]?[path] { return queries }
        let last = path.split(separator: ".").last.map(String.init) ?? path
        if last == "node-name" && path == last && command != "blockdev-add" && command != "blockdev-create" {
            return [.blockNodeNames]
        }
        if command == "blockdev-add" || command == "blockdev-reopen" || command == "blockdev-create",
            last == "file" || last == "backing" || last == "data-file"
        {
            return [.blockNodeNames]
        }
        return []
    }

    /// The arguments qmpkit completes from the monitor.
    public static let standard = LiveValueTable(entries: [
        "device_add": [
            "driver": [.deviceDrivers], "bus": [.busNames], "drive": [.blockBackendNames, .blockNodeNames],
            "netdev": [.netdevIDs], "chardev": [.chardevIDs], "memdev": [.objectIDs], "iothread": [.objectIDs],
            "rng": [.objectIDs],
        ],
        "device_del": ["id": [.deviceIDs]],
        "device-list-properties": ["typename": [.deviceDrivers]],
        "blockdev-del": ["node-name": [.blockNodeNames]],
        "blockdev-change-medium": ["id": [.removableBlockDeviceIDs], "device": [.blockBackendNames]],
        "eject": ["id": [.removableBlockDeviceIDs], "device": [.blockBackendNames]],
        "blockdev-open-tray": ["id": [.removableBlockDeviceIDs], "device": [.blockBackendNames]],
        "blockdev-close-tray": ["id": [.removableBlockDeviceIDs], "device": [.blockBackendNames]],
        "blockdev-remove-medium": ["id": [.removableBlockDeviceIDs]],
        "blockdev-insert-medium": ["id": [.removableBlockDeviceIDs], "node-name": [.blockNodeNames]],
        "block_resize": ["device": [.blockBackendNames], "node-name": [.blockNodeNames]],
        "block_set_io_throttle": ["id": [.blockDeviceIDs], "device": [.blockBackendNames]],
        "x-blockdev-change": ["parent": [.blockNodeNames], "node": [.blockNodeNames]],
        "blockdev-mirror": ["device": [.blockNodeNames], "target": [.blockNodeNames]],
        "blockdev-backup": ["device": [.blockNodeNames], "target": [.blockNodeNames]],
        "blockdev-snapshot": ["node": [.blockNodeNames], "overlay": [.blockNodeNames]],
        "block-commit": ["device": [.blockNodeNames]],
        "block-stream": ["device": [.blockNodeNames]],
        "netdev_del": ["id": [.netdevIDs]],
        "set_link": ["name": [.netdevIDs, .deviceIDs]],
        "chardev-remove": ["id": [.chardevIDs]],
        "chardev-change": ["id": [.chardevIDs]],
        "chardev-send-break": ["id": [.chardevIDs]],
        "ringbuf-read": ["device": [.chardevIDs]],
        "ringbuf-write": ["device": [.chardevIDs]],
        "object-del": ["id": [.objectIDs]],
        "qom-list": ["path": [.qomPaths]],
        "qom-get": ["path": [.qomPaths]],
        "qom-set": ["path": [.qomPaths]],
    ])
}

/// Live values that are already at hand, read without waiting (completion runs synchronously).
public protocol LiveValueProvider {
    /// The values of `query`, or `nil` when they were not fetched.
    func values(for query: LiveValueQuery) -> [String]?
}

/// A fixed set of live values.
public struct LiveValueSnapshot: LiveValueProvider, Sendable, Hashable {
    /// The values each query gave.
    public var values: [LiveValueQuery: [String]]

    /// Creates a value from its members.
    public init(_ values: [LiveValueQuery: [String]] = [:]) {
        self.values = values
    }

    /// The values recorded for `query`; nil when the snapshot has none for it.
    public func values(for query: LiveValueQuery) -> [String]? {
        values[query]
    }
}
