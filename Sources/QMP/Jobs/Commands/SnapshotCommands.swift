/// `snapshot-save`: save the VM state and every listed disk as the internal snapshot `tag` (QEMU ≥ 6.0).
///
/// The disks must be qcow2; `vmstate` names the one that also stores the RAM. The guest is paused while the
/// snapshot is written and resumes afterwards. The job stays `concluded` until dismissed.
public struct SnapshotSave: JobCommand, Hashable {
    public static let name = "snapshot-save"
    public static let takesAutoOptions = false
    public typealias Response = QMPEmpty

    public var jobID: String
    public var tag: String
    /// The node that receives the VM state.
    public var vmstate: String
    /// Every writable node to snapshot.
    public var devices: [String]
    public var autoFinalize: Bool? { get { nil } set {} }
    public var autoDismiss: Bool? { get { nil } set {} }

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
    public static let name = "snapshot-load"
    public static let takesAutoOptions = false
    public typealias Response = QMPEmpty

    public var jobID: String
    public var tag: String
    public var vmstate: String
    public var devices: [String]
    public var autoFinalize: Bool? { get { nil } set {} }
    public var autoDismiss: Bool? { get { nil } set {} }

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
    public static let name = "snapshot-delete"
    public static let takesAutoOptions = false
    public typealias Response = QMPEmpty

    public var jobID: String
    public var tag: String
    public var devices: [String]
    public var autoFinalize: Bool? { get { nil } set {} }
    public var autoDismiss: Bool? { get { nil } set {} }

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
