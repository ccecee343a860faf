public import QMP
public import QMPWire

// The hand-written conveniences of `QMP` (`BlockdevAdd.qcow2File`, `DeviceAdd.cpu`, `ObjectAdd`'s form per QEMU
// version, the job commands ...) for users of the generated surface. `QMP` cannot use the generated types (this
// module depends on it), so each convenience here builds the hand-written value and takes its wire form: the logic
// stays in one place, and a generated convenience sends exactly what its hand-written twin sends
// (`ConveniencesTests` checks each one, and validates it against a real QEMU's schema).

// MARK: - Bridges between hand-written and generated values

/// A hand-written value that does not fit the generated type it was given to.
public struct QAPIBridgeError: Error, Sendable, CustomStringConvertible {
    /// What does not fit.
    public var description: String

    /// An error that says `description`.
    public init(_ description: String) { self.description = description }
}

extension QAPICommandValue {
    /// The generated command with exactly the arguments that the hand-written `command` sends:
    /// `try QAPI.Eject(Eject(id: "cd0"))`.
    ///
    /// - Throws: `QAPIBridgeError` when `command` is another command (its wire name is not this one's) or its
    ///   arguments are not a JSON object; what its `encode(to:)` throws.
    public init<Command: QMPCommand>(_ command: Command) throws {
        guard Command.name == Self.name else {
            throw QAPIBridgeError("'\(Command.name)' is not '\(Self.name)': a generated command takes only its own")
        }
        guard case .object(let arguments) = try JSONValueEncoder().encode(command) else {
            throw QAPIBridgeError("the arguments of '\(Command.name)' are not a JSON object")
        }
        self.init(arguments: arguments)
    }

    /// The generated twin of a hand-written command built by one of the conveniences below: same wire name (the
    /// callers pair them by type) and arguments that are JSON values, so the bridge cannot fail.
    static func twin<Command: QMPCommand>(of command: Command) -> Self {
        do {
            return try Self(command)
        } catch {
            preconditionFailure("\(error)")
        }
    }
}

extension QAPIObject {
    /// The generated value with the wire form of `value`, a hand-written value of the same schema type
    /// (`try QAPI.HotpluggableCPU(converting: slot)` for a `HotpluggableCPU`).
    ///
    /// - Throws: `QAPIBridgeError` when the wire form is not a JSON object or lacks one of `requiredMembers`;
    ///   what `value`'s `encode(to:)` throws.
    public init<Value: Encodable>(converting value: Value) throws {
        // The error names members only, never values: the value may hold a secret.
        guard case .object(let object) = try JSONValueEncoder().encode(value) else {
            throw QAPIBridgeError("a \(Value.self) is not a JSON object, as a \(Self.self) is")
        }
        let missing = Self.requiredMembers.filter { object[$0] == nil }
        guard missing.isEmpty else {
            throw QAPIBridgeError("a \(Self.self) needs \(missing.joined(separator: ", ")); the \(Value.self) lacks them")
        }
        self.init(unchecked: object)
    }

    /// This value read as a hand-written type of the same wire form (`try cpu.converted(to: HotpluggableCPU.self)`),
    /// to use the hand-written type's helpers.
    ///
    /// - Throws: `DecodingError` when the wire form lacks what `Value` requires.
    public func converted<Value: Decodable>(to type: Value.Type) throws -> Value {
        try JSONValueDecoder().decode(Value.self, from: .object(json))
    }
}

/// The wire form of a hand-written value built by a convenience below (the hand-written `Encodable`s write JSON
/// values only, so encoding cannot fail).
private func wireForm<Value: Encodable>(of value: Value) -> JSON {
    do {
        return try JSONValueEncoder().encode(value)
    } catch {
        preconditionFailure("\(error)")
    }
}

// MARK: - blockdev-add

extension QAPICommandValue where Tag == QAPITags.BlockdevAdd {
    /// A `file` protocol node: a host file read as bytes (`BlockdevAdd/file(nodeName:filename:readOnly:)`).
    public static func file(nodeName: String, filename: String, readOnly: Bool = false) -> QAPI.BlockdevAdd {
        QAPI.BlockdevAdd(
            arguments: BlockdevAdd.file(nodeName: nodeName, filename: filename, readOnly: readOnly).options)
    }

    /// A qcow2 image in a host file: a `qcow2` node over an anonymous `file` node
    /// (`BlockdevAdd/qcow2File(nodeName:filename:readOnly:)`).
    ///
    /// ``swift
    /// try await client.execute(QAPI.BlockdevAdd.qcow2File(nodeName: "disk1", filename: "/images/disk1.qcow2"))
    /// ``
    public static func qcow2File(nodeName: String, filename: String, readOnly: Bool = false) -> QAPI.BlockdevAdd {
        QAPI.BlockdevAdd(
            arguments: BlockdevAdd.qcow2File(nodeName: nodeName, filename: filename, readOnly: readOnly).options)
    }

    /// A raw image in a host file, such as an ISO: a `raw` node over an anonymous `file` node
    /// (`BlockdevAdd/rawFile(nodeName:filename:readOnly:)`).
    public static func rawFile(nodeName: String, filename: String, readOnly: Bool = false) -> QAPI.BlockdevAdd {
        QAPI.BlockdevAdd(
            arguments: BlockdevAdd.rawFile(nodeName: nodeName, filename: filename, readOnly: readOnly).options)
    }

    /// A qcow2 node over a node that already exists, named by `fileNodeName`
    /// (`BlockdevAdd/qcow2(nodeName:fileNodeName:readOnly:)`).
    public static func qcow2(nodeName: String, fileNodeName: String, readOnly: Bool = false) -> QAPI.BlockdevAdd {
        QAPI.BlockdevAdd(
            arguments: BlockdevAdd.qcow2(nodeName: nodeName, fileNodeName: fileNodeName, readOnly: readOnly).options)
    }
}

extension BlockdevAdd {
    /// The hand-written command with the generated one's arguments as its options.
    public init(_ command: QAPI.BlockdevAdd) {
        self.init(options: command.arguments)
    }
}

// MARK: - object-add

extension QAPICommandValue where Tag == QAPITags.ObjectAdd {
    /// Anonymous RAM of `size` bytes, to back a `pc-dimm` (`ObjectAdd/memoryBackendRAM(id:size:)`).
    ///
    /// The arguments are in the flat form of QEMU 6.0 and later; `QMPClient/execute(_:fileDescriptors:timeout:)`
    /// (the overload for `QAPI.ObjectAdd`) sends the form the connected QEMU takes.
    public static func memoryBackendRAM(id: String, size: Int) -> QAPI.ObjectAdd {
        QAPI.ObjectAdd(
            arguments: ObjectAdd.memoryBackendRAM(id: id, size: size).arguments(for: ObjectAdd.flatFormSince))
    }

    /// A secret given inline, for LUKS keys, TLS passwords ... (`ObjectAdd/secret(id:data:)`); flat form, as
    /// `memoryBackendRAM(id:size:)`.
    public static func secret(id: String, data: String) -> QAPI.ObjectAdd {
        QAPI.ObjectAdd(arguments: ObjectAdd.secret(id: id, data: data).arguments(for: ObjectAdd.flatFormSince))
    }

    /// An I/O thread, for devices' `iothread` property (`ObjectAdd/iothread(id:)`).
    public static func iothread(id: String) -> QAPI.ObjectAdd {
        QAPI.ObjectAdd(arguments: ObjectAdd.iothread(id: id).arguments(for: ObjectAdd.flatFormSince))
    }

    /// The first QEMU whose `object-add` takes the object's members at the top level, next to `qom-type` and `id`
    /// (`ObjectAdd/flatFormSince`); older ones take them in `props`.
    public static var flatFormSince: QEMUVersion { ObjectAdd.flatFormSince }

    /// The arguments as a QEMU of `version` takes them: as they are from QEMU 6.0, the object's members moved into
    /// `props` before (`ObjectAdd/arguments(for:)`). Arguments without a string `qom-type` and `id` are returned
    /// as they are (QEMU reports what is missing).
    public func arguments(for version: QEMUVersion) -> JSONObject {
        ObjectAdd(self)?.arguments(for: version) ?? arguments
    }
}

extension ObjectAdd {
    /// The hand-written command with the generated one's arguments: `qom-type`, `id`, and the other members as
    /// `properties`; `nil` when `qom-type` or `id` is not a string.
    public init?(_ command: QAPI.ObjectAdd) {
        guard let qomType = command.arguments["qom-type"]?.stringValue, let id = command.arguments["id"]?.stringValue
        else { return nil }
        var properties = command.arguments
        properties["qom-type"] = nil
        properties["id"] = nil
        self.init(qomType: qomType, id: id, properties: properties)
    }
}

extension QMPClient {
    /// Runs a generated `object-add` in the form the connected QEMU takes, by the greeting's version: the object's
    /// members at the top level from QEMU 6.0, in `props` before (`QAPI.ObjectAdd.arguments(for:)`).
    ///
    /// Chosen over the generic `execute(_:fileDescriptors:timeout:)` whenever the static type is
    /// `QAPI.ObjectAdd`; generic code that runs it as any `QAPICommand` sends the arguments as they are.
    @discardableResult
    public nonisolated(nonsending) func execute(
        _ command: QAPI.ObjectAdd, fileDescriptors: [Int32] = [], timeout: Duration? = nil
    ) async throws -> QMPEmpty {
        let arguments = command.arguments(for: greeting.version)
        _ = try await execute(
            QAPI.ObjectAdd.name, arguments: .object(arguments), fileDescriptors: fileDescriptors, timeout: timeout)
        return QMPEmpty()
    }
}

// MARK: - device_add, netdev_add

extension QAPICommandValue where Tag == QAPITags.DeviceAdd {
    /// Plugs a CPU into a slot that `query-hotpluggable-cpus` listed: the slot's type as driver, its topology as
    /// properties (`DeviceAdd/cpu(_:id:)`).
    public static func cpu(_ slot: HotpluggableCPU, id: String) -> QAPI.DeviceAdd {
        QAPI.DeviceAdd.twin(of: DeviceAdd.cpu(slot, id: id))
    }

    /// Plugs a CPU into a slot of the generated `query-hotpluggable-cpus` reply: what the `HotpluggableCPU`
    /// overload sends (the slot's whole topology, `module-id` and members a newer QEMU adds included), plus any
    /// member set on the generated value alone.
    ///
    /// ``swift
    /// let slots = try await client.execute(QAPI.QueryHotpluggableCPUs())
    /// if let free = slots.first(where: { $0.qomPath == nil }) {
    ///     try await client.execute(try QAPI.DeviceAdd.cpu(free, id: "cpu1"))
    /// }
    /// ``
    /// - Throws: `DecodingError` when the slot lacks `type`, `vcpus-count` or `props`.
    public static func cpu(_ slot: QAPI.HotpluggableCPU, id: String) throws -> QAPI.DeviceAdd {
        var command = cpu(try slot.converted(to: HotpluggableCPU.self), id: id)
        for (key, value) in slot.props?.json ?? [:] where command.arguments[key] == nil {
            command.arguments[key] = value
        }
        return command
    }
}

extension QAPICommandValue where Tag == QAPITags.NetdevAdd {
    /// User-mode networking (slirp); `hostForwards` are `hostfwd` rules such as `tcp::2222-:22`
    /// (`NetdevAdd/user(id:hostForwards:)`).
    public static func user(id: String, hostForwards: [String] = []) -> QAPI.NetdevAdd {
        QAPI.NetdevAdd.twin(of: NetdevAdd.user(id: id, hostForwards: hostForwards))
    }
}

// MARK: - send-key

extension QAPICommandValue where Tag == QAPITags.SendKey {
    /// Keys by name joined with `-`, as HMP's `sendkey` takes them: `ctrl-alt-delete`, `shift-a`, `ret`
    /// (`SendKey/init(combination:holdTime:)`).
    public static func combination(_ combination: String, holdTime: Int? = nil) -> QAPI.SendKey {
        QAPI.SendKey.twin(of: SendKey(combination: combination, holdTime: holdTime))
    }
}

extension QAPIObjectValue where Tag == QAPITags.KeyValue {
    /// A key by its QEMU name (`KeyValue/qcode(_:)`).
    public static func qcode(_ code: QAPI.QKeyCode) -> QAPI.KeyValue {
        QAPI.KeyValue(unchecked: wireForm(of: KeyValue.qcode(QKeyCode(rawValue: code.rawValue))).objectValue ?? [:])
    }

    /// A key by its scancode (`KeyValue/number(_:)`).
    public static func number(_ scancode: Int) -> QAPI.KeyValue {
        QAPI.KeyValue(unchecked: wireForm(of: KeyValue.number(scancode)).objectValue ?? [:])
    }
}

extension QAPIEnumValue where Tag == QAPITags.QKeyCode {
    /// The function key `F<number>` (`QKeyCode/f(_:)`).
    public static func f(_ number: Int) -> QAPI.QKeyCode {
        QAPI.QKeyCode(rawValue: QKeyCode.f(number).rawValue)
    }
}

// MARK: - Helpers on replies

extension QAPIEnumValue where Tag == QAPITags.JobStatus {
    /// True for `concluded` and `null`: the job will not change any more (`JobStatus/isFinal`).
    public var isFinal: Bool { JobStatus(rawValue: rawValue).isFinal }
}

extension QAPIEnumValue where Tag == QAPITags.JobVerb {
    /// The states in which QEMU accepts this verb (`JobVerb/allowedStatuses`); `nil` for a verb this library
    /// does not know.
    public var allowedStatuses: Set<QAPI.JobStatus>? {
        guard let verb = JobVerb(rawValue: rawValue) else { return nil }
        return Set(verb.allowedStatuses.map { QAPI.JobStatus(rawValue: $0.rawValue) })
    }
}

extension QAPIEnumValue where Tag == QAPITags.MigrationStatus {
    /// True for `completed`, `failed` and `cancelled`: nothing more will happen (`MigrationStatus/isFinal`).
    public var isFinal: Bool { MigrationStatus(rawValue: rawValue).isFinal }
}

extension QAPIObjectValue where Tag == QAPITags.VersionInfo {
    /// The version as the comparable `QEMUVersion` the greeting also uses (`VersionInfo/version`); `nil` when a
    /// member it needs is missing.
    public var version: QEMUVersion? { (try? converted(to: VersionInfo.self))?.version }
}

extension QAPIObjectValue where Tag == QAPITags.HotpluggableCPU {
    /// Whether the slot is free: no CPU's `qom-path` (`HotpluggableCPU/isFree`).
    public var isFree: Bool { qomPath == nil }
}

extension MigrationProgress {
    /// The report for a generated `query-migrate` answer (`init(_:)` of `MigrationInfo`).
    ///
    /// - Throws: `DecodingError` when a member has another shape than the hand-written `MigrationInfo` reads.
    public init(_ info: QAPI.MigrationInfo) throws {
        self.init(try info.converted(to: MigrationInfo.self))
    }
}

// MARK: - Jobs

/// The tag of a generated command that starts a job and has a hand-written twin (`blockdev-backup`,
/// `blockdev-mirror`, `snapshot-save` ...): such a command starts a followed `Job` with
/// `Job.start(_:on:options:timeout:)`, like the hand-written one.
public protocol QAPIJobCommandTag: QAPICommandTag where Response == QMPEmpty {
    /// The hand-written command of the same wire name; its `takesAutoOptions` says whether the command takes
    /// `auto-finalize` and `auto-dismiss`.
    associatedtype HandWritten: JobCommand
}

extension QAPITags.BlockdevBackupCommand: QAPIJobCommandTag {
    /// `BlockdevBackup`.
    public typealias HandWritten = QMP.BlockdevBackup
}
extension QAPITags.DriveBackupCommand: QAPIJobCommandTag {
    /// `DriveBackup`.
    public typealias HandWritten = QMP.DriveBackup
}
extension QAPITags.BlockdevMirror: QAPIJobCommandTag {
    /// `BlockdevMirror`.
    public typealias HandWritten = QMP.BlockdevMirror
}
extension QAPITags.BlockStream: QAPIJobCommandTag {
    /// `BlockStream`.
    public typealias HandWritten = QMP.BlockStream
}
extension QAPITags.BlockCommit: QAPIJobCommandTag {
    /// `BlockCommit`.
    public typealias HandWritten = QMP.BlockCommit
}
extension QAPITags.BlockdevCreate: QAPIJobCommandTag {
    /// `BlockdevCreate`.
    public typealias HandWritten = QMP.BlockdevCreate
}
extension QAPITags.SnapshotSave: QAPIJobCommandTag {
    /// `SnapshotSave`.
    public typealias HandWritten = QMP.SnapshotSave
}
extension QAPITags.SnapshotLoad: QAPIJobCommandTag {
    /// `SnapshotLoad`.
    public typealias HandWritten = QMP.SnapshotLoad
}
extension QAPITags.SnapshotDelete: QAPIJobCommandTag {
    /// `SnapshotDelete`.
    public typealias HandWritten = QMP.SnapshotDelete
}

/// A generated job command seen as a hand-written `JobCommand`, for `Job.start`: the arguments go out as they are,
/// with `auto-finalize` and `auto-dismiss` set by `Job` where the hand-written twin takes them.
struct QAPIJobCommand<Tag: QAPIJobCommandTag>: JobCommand {
    typealias Response = QMPEmpty
    static var name: String { QAPICommandValue<Tag>.name }
    static var takesAutoOptions: Bool { Tag.HandWritten.takesAutoOptions }

    var command: QAPICommandValue<Tag>

    /// `job-id`; without one, QEMU names a block job after its `device`.
    var jobID: String {
        command.arguments["job-id"]?.stringValue ?? command.arguments["device"]?.stringValue ?? ""
    }
    var autoFinalize: Bool? {
        get { command.arguments.qapiMember("auto-finalize") }
        set { command.arguments.setQAPIMember("auto-finalize", newValue) }
    }
    var autoDismiss: Bool? {
        get { command.arguments.qapiMember("auto-dismiss") }
        set { command.arguments.setQAPIMember("auto-dismiss", newValue) }
    }

    /// Sets them where the hand-written twin takes them (a ``BlockJobCommand``); unchanged otherwise.
    func applyingAutoOptions(autoFinalize: Bool?, autoDismiss: Bool?) -> Self {
        guard Self.takesAutoOptions else { return self }
        var command = self
        command.autoFinalize = autoFinalize
        command.autoDismiss = autoDismiss
        return command
    }

    func encode(to encoder: any Encoder) throws { try command.encode(to: encoder) }
}

extension Job {
    /// Sends a generated job command (`QAPI.BlockdevBackupCommand`, `QAPI.SnapshotSave` ...) and returns the job it
    /// created, followed from before the send: what `start(_:on:options:timeout:)` does for the hand-written twin.
    ///
    /// ```swift
    /// let backup = QAPI.BlockdevBackupCommand(device: "disk0", sync: .full, target: "backup0")
    /// let job = try await Job.start(backup, on: client)
    /// try await job.waitForConclusion(timeout: .seconds(600))
    /// ```
    public static func start<Tag: QAPIJobCommandTag>(
        _ command: QAPICommandValue<Tag>, on client: QMPClient, options: Options = Options(),
        timeout: Duration? = nil
    ) async throws -> Job {
        try await start(QAPIJobCommand(command: command), on: client, options: options, timeout: timeout)
    }
}
