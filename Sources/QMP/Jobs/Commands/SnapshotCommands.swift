/// `snapshot-save`: save the VM state and every listed disk as the internal snapshot `tag` (QEMU ≥ 6.0).
///
/// The disks must be qcow2; `vmstate` names the one that also stores the RAM. The guest is paused while the
/// snapshot is written and resumes afterwards. The job stays `concluded` until dismissed.
public struct SnapshotSave: JobCommand, Hashable {
    /// The QMP command name, `snapshot-save`.
    public static let name = "snapshot-save"
    /// `false`: the `snapshot-*` commands have no `auto-finalize`/`auto-dismiss` arguments, so ``Job`` never sets them (and the command has no such properties).
    public static let takesAutoOptions = false
    /// The command answers `{}`; progress and errors arrive through the job.
    public typealias Response = QMPEmpty

    /// The id of the job QEMU creates (`job-id`); ``Job`` follows it by this id.
    public var jobID: String
    /// The name the snapshot is saved under in every listed disk (`tag`); an existing snapshot with that name
    /// makes the job fail.
    public var tag: String
    /// The node that receives the VM state.
    public var vmstate: String
    /// Every writable node to snapshot.
    public var devices: [String]

    /// Describes a save of snapshot `tag` into `devices`, with the VM state in `vmstate`.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - tag: The snapshot's name.
    ///   - vmstate: The node name that receives the VM state; it should also be in `devices`.
    ///   - devices: The node names of every writable disk to snapshot.
    public init(jobID: String, tag: String, vmstate: String, devices: [String]) {
        self.jobID = jobID
        self.tag = tag
        self.vmstate = vmstate
        self.devices = devices
    }

    public func encode(to encoder: any Encoder) throws {
        try snapshotArguments(jobID: jobID, tag: tag, vmstate: vmstate, devices: devices).encode(to: encoder)
    }
}

/// `snapshot-load`: go back to the internal snapshot `tag` (VM state and disks). The job stays `concluded`
/// until dismissed.
public struct SnapshotLoad: JobCommand, Hashable {
    /// The QMP command name, `snapshot-load`.
    public static let name = "snapshot-load"
    /// `false`: the `snapshot-*` commands have no `auto-finalize`/`auto-dismiss` arguments, so ``Job`` never sets them (and the command has no such properties).
    public static let takesAutoOptions = false
    /// The command answers `{}`; progress and errors arrive through the job.
    public typealias Response = QMPEmpty

    /// The id of the job QEMU creates (`job-id`).
    public var jobID: String
    /// The name of the snapshot to go back to; it must exist in every listed disk.
    public var tag: String
    /// The node name that holds the VM state of the snapshot.
    public var vmstate: String
    /// The node names of every disk to revert.
    public var devices: [String]

    /// Describes a load of snapshot `tag` from `devices`, with the VM state read from `vmstate`.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - tag: The snapshot's name.
    ///   - vmstate: The node name that holds the VM state.
    ///   - devices: The node names of every disk to revert.
    public init(jobID: String, tag: String, vmstate: String, devices: [String]) {
        self.jobID = jobID
        self.tag = tag
        self.vmstate = vmstate
        self.devices = devices
    }

    public func encode(to encoder: any Encoder) throws {
        try snapshotArguments(jobID: jobID, tag: tag, vmstate: vmstate, devices: devices).encode(to: encoder)
    }
}

/// `snapshot-delete`: remove the internal snapshot `tag` from the listed nodes. The job stays `concluded`
/// until dismissed.
public struct SnapshotDelete: JobCommand, Hashable {
    /// The QMP command name, `snapshot-delete`.
    public static let name = "snapshot-delete"
    /// `false`: the `snapshot-*` commands have no `auto-finalize`/`auto-dismiss` arguments, so ``Job`` never sets them (and the command has no such properties).
    public static let takesAutoOptions = false
    /// The command answers `{}`; progress and errors arrive through the job.
    public typealias Response = QMPEmpty

    /// The id of the job QEMU creates (`job-id`).
    public var jobID: String
    /// The name of the snapshot to remove.
    public var tag: String
    /// The node names to remove the snapshot from.
    public var devices: [String]

    /// Describes the removal of snapshot `tag` from `devices`.
    /// - Parameters:
    ///   - jobID: The id of the job to create.
    ///   - tag: The snapshot's name.
    ///   - devices: The node names to remove it from.
    public init(jobID: String, tag: String, devices: [String]) {
        self.jobID = jobID
        self.tag = tag
        self.devices = devices
    }

    public func encode(to encoder: any Encoder) throws {
        try snapshotArguments(jobID: jobID, tag: tag, vmstate: nil, devices: devices).encode(to: encoder)
    }
}

/// The arguments the `snapshot-*` commands share.
private func snapshotArguments(jobID: String, tag: String, vmstate: String?, devices: [String]) -> ArgumentsBuilder {
    var arguments = ArgumentsBuilder()
    arguments.set("job-id", jobID)
    arguments.set("tag", tag)
    arguments.set("vmstate", vmstate)
    arguments.set("devices", devices)
    return arguments
}
