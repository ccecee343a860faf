/// A command that starts a job: its arguments carry `job-id`.
///
/// Start one with ``Job/start(_:on:options:timeout:)``, which follows the job from before the command is sent.
/// Block jobs also take `auto-finalize` and `auto-dismiss`: those commands are ``BlockJobCommand``s, and only
/// they have the properties, so setting one on a command that cannot send it (`snapshot-save`,
/// `blockdev-create`) does not compile.
public protocol JobCommand: QMPCommand where Response == QMPEmpty {
    /// The `job-id`; the job's name in `query-jobs` and in its events.
    var jobID: String { get }
    /// Whether the command takes `auto-finalize` and `auto-dismiss` (block jobs do; `snapshot-*` and
    /// `blockdev-create` do not, and their jobs stay `concluded` until dismissed). `true` for every
    /// ``BlockJobCommand``, `false` otherwise.
    static var takesAutoOptions: Bool { get }
    /// The command with `auto-finalize` and `auto-dismiss` set to these values where it takes them (``Job`` sets
    /// them from its ``Job/Options``); a command without the arguments returns itself unchanged.
    func applyingAutoOptions(autoFinalize: Bool?, autoDismiss: Bool?) -> Self
}

extension JobCommand {
    /// `false`: a job command takes no `auto-finalize`/`auto-dismiss` unless it is a ``BlockJobCommand``.
    public static var takesAutoOptions: Bool { false }

    /// `self`: the command has no `auto-finalize`/`auto-dismiss` arguments to set.
    public func applyingAutoOptions(autoFinalize: Bool?, autoDismiss: Bool?) -> Self { self }
}

/// A command that starts a block job, which takes `auto-finalize` and `auto-dismiss` (`blockdev-backup`,
/// `drive-backup`, `blockdev-mirror`, `block-stream`, `block-commit`).
public protocol BlockJobCommand: JobCommand {
    /// `auto-finalize`; `nil` leaves QEMU's default (true).
    var autoFinalize: Bool? { get set }
    /// `auto-dismiss`; `nil` leaves QEMU's default (true for block jobs).
    var autoDismiss: Bool? { get set }
}

extension BlockJobCommand {
    /// `true`: a block job command takes `auto-finalize` and `auto-dismiss`.
    public static var takesAutoOptions: Bool { true }

    /// The command with ``autoFinalize`` and ``autoDismiss`` set to these values.
    public func applyingAutoOptions(autoFinalize: Bool?, autoDismiss: Bool?) -> Self {
        var command = self
        command.autoFinalize = autoFinalize
        command.autoDismiss = autoDismiss
        return command
    }
}

/// Builds a command's arguments object: optional members are left out when `nil`.
struct ArgumentsBuilder {
    private(set) var object: JSONObject = [:]

    mutating func set(_ key: String, _ value: String?) { if let value { object[key] = .string(value) } }
    mutating func set(_ key: String, _ value: Bool?) { if let value { object[key] = .bool(value) } }
    mutating func set(_ key: String, _ value: Int64?) { if let value { object[key] = .int(value) } }
    mutating func set(_ key: String, _ value: JSON?) { if let value { object[key] = value } }
    mutating func set<Value: QMPEnum>(_ key: String, _ value: Value?) { if let value { object[key] = .string(value.rawValue) } }
    mutating func set(_ key: String, _ value: [String]?) { if let value { object[key] = .array(value.map(JSON.string)) } }

    /// Adds `auto-finalize`, `auto-dismiss` and then `extra`'s members (overriding members of the same name): the
    /// end of every block job's arguments.
    mutating func finishJob(autoFinalize: Bool?, autoDismiss: Bool?, extra: JSONObject) {
        set("auto-finalize", autoFinalize)
        set("auto-dismiss", autoDismiss)
        merge(extra)
    }

    /// Adds `extra`'s members, overriding members of the same name.
    mutating func merge(_ extra: JSONObject) { for (key, value) in extra { object[key] = value } }

    func encode(to encoder: any Encoder) throws { try JSON.object(object).encode(to: encoder) }
}

/// What a block job does when it meets an I/O error (`BlockdevOnError`).
public struct BlockdevOnError: QMPEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Report the error and fail the job.
    public static let report: BlockdevOnError = "report"
    /// Ignore the error and go on.
    public static let ignore: BlockdevOnError = "ignore"
    /// `stop` for ENOSPC, `report` otherwise.
    public static let enospc: BlockdevOnError = "enospc"
    /// Pause the job (BLOCK_JOB_ERROR is sent); resume it once the cause is fixed.
    public static let stop: BlockdevOnError = "stop"
    /// Do what the drive's own error settings (`rerror`/`werror`) say (QEMU ≥ 2.12).
    public static let auto: BlockdevOnError = "auto"
}

/// Which part of a disk a backup or mirror copies (`MirrorSyncMode`).
public struct MirrorSyncMode: QMPEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The whole disk.
    public static let full: MirrorSyncMode = "full"
    /// Only the top image (not its backing chain).
    public static let top: MirrorSyncMode = "top"
    /// Only what the guest writes from now on (copy-before-write point-in-time image).
    public static let none: MirrorSyncMode = "none"
    /// What a dirty bitmap marks as changed since the last backup.
    public static let incremental: MirrorSyncMode = "incremental"
    /// What a dirty bitmap marks, with the bitmap's `bitmap-mode` deciding when it is cleared (QEMU ≥ 4.2).
    public static let bitmap: MirrorSyncMode = "bitmap"
}
