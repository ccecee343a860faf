/// `transaction`: run several actions atomically — all of them or none (e.g. external snapshots of every disk at
/// one point in time, or a full backup together with a new dirty bitmap). Returns `{}`.
///
/// ```swift
/// try await client.execute(Transaction([
///     .blockdevSnapshotSync(BlockdevSnapshotSync(device: "disk0", snapshotFile: "/s/d0.qcow2")),
///     .blockdevSnapshotSync(BlockdevSnapshotSync(device: "disk1", snapshotFile: "/s/d1.qcow2")),
/// ]))
/// ```
public struct Transaction: QMPCommand, Hashable {
    /// The QMP command name, `transaction`.
    public static let name = "transaction"
    /// The command answers `{}` once every action is done or started; a failure undoes all of them.
    public typealias Response = QMPEmpty

    /// The actions, run in order as one unit.
    public var actions: [TransactionAction]
    /// `completion-mode`: `.individual` (default) or `.grouped` (a failing job cancels the others).
    public var completionMode: TransactionCompletionMode?

    /// Describes a transaction of `actions`.
    /// - Parameters:
    ///   - actions: The actions to run together.
    ///   - completionMode: `.individual` or `.grouped`, sent in `properties`; QEMU's default when `nil`.
    public init(_ actions: [TransactionAction], completionMode: TransactionCompletionMode? = nil) {
        self.actions = actions
        self.completionMode = completionMode
    }

    public func encode(to encoder: any Encoder) throws {
        var arguments = ArgumentsBuilder()
        arguments.set("actions", JSON.array(actions.map(\.json)))
        if let completionMode { arguments.set("properties", JSON.object(["completion-mode": .string(completionMode.rawValue)])) }
        try arguments.encode(to: encoder)
    }
}

/// How the jobs a ``Transaction`` starts end (`ActionCompletionMode`). Another value QEMU may add is
/// `TransactionCompletionMode(rawValue:)`.
public struct TransactionCompletionMode: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// A mode by its wire value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Each job ends on its own (QEMU's default).
    public static let individual: TransactionCompletionMode = "individual"
    /// The jobs end together: one that fails or is cancelled cancels the others.
    public static let grouped: TransactionCompletionMode = "grouped"
}

/// One action of a ``Transaction``: its `type` and `data`.
public enum TransactionAction: Sendable, Hashable {
    /// Put a new overlay file on top of a device (``BlockdevSnapshotSync``).
    case blockdevSnapshotSync(BlockdevSnapshotSync)
    /// Put an existing overlay node on top of a node (``BlockdevSnapshot``).
    case blockdevSnapshot(BlockdevSnapshot)
    /// Start a backup into an existing node (``BlockdevBackup``).
    case blockdevBackup(BlockdevBackup)
    /// Start a backup into a file (``DriveBackup``).
    case driveBackup(DriveBackup)
    /// Add a dirty bitmap (``BlockDirtyBitmapAdd``), so it starts at the same point as the other actions.
    case blockDirtyBitmapAdd(BlockDirtyBitmapAdd)
    /// Any other action, e.g. `block-dirty-bitmap-clear`.
    case other(type: String, data: JSONObject)

    /// The action's `type`.
    public var type: String {
        switch self {
        case .blockdevSnapshotSync: return BlockdevSnapshotSync.name
        case .blockdevSnapshot: return BlockdevSnapshot.name
        case .blockdevBackup: return BlockdevBackup.name
        case .driveBackup: return DriveBackup.name
        case .blockDirtyBitmapAdd: return BlockDirtyBitmapAdd.name
        case .other(let type, _): return type
        }
    }

    /// The action's `data` (the same members as the command's arguments).
    public var data: JSON {
        var arguments = ArgumentsBuilder()
        switch self {
        case .blockdevSnapshotSync(let command):
            arguments.set(command.byNodeName ? "node-name" : "device", command.device)
            arguments.set("snapshot-file", command.snapshotFile)
            arguments.set("snapshot-node-name", command.snapshotNodeName)
            arguments.set("format", command.format)
        case .blockdevSnapshot(let command):
            arguments.set("node", command.node)
            arguments.set("overlay", command.overlay)
        case .blockdevBackup(let command):
            return (try? JSONValueEncoder().encode(command)) ?? .object([:])
        case .driveBackup(let command):
            return (try? JSONValueEncoder().encode(command)) ?? .object([:])
        case .blockDirtyBitmapAdd(let command):
            arguments.set("node", command.node)
            arguments.set("name", command.bitmapName)
            arguments.set("persistent", command.persistent)
        case .other(_, let data):
            return .object(data)
        }
        return .object(arguments.object)
    }

    /// `{"type": ..., "data": ...}`.
    public var json: JSON { ["type": .string(type), "data": data] }
}
