import QMP
public import QMPWire

/// Every QMP command, event and type of QEMU's QAPI schema, generated from QEMU's sources by
/// `scripts/generate-qapi.sh` (commands `QAPI.BlockdevAdd`, events `QAPI.DeviceDeletedEvent`, types
/// `QAPI.BlockInfo`); the guest agent's are in ``QAPI/Agent``.
///
/// Values keep their wire form (``QAPIObject/json``) and read it through typed properties, so unknown members and
/// unknown enumeration values survive a round trip, and members a given QEMU does not send are `nil`.
/// Each declaration carries its `since` version and features as data (``QAPIDeclarationInfo``).
///
/// Each name is a typealias of one of a few generic wrappers over a caseless tag (`QAPI.StatusInfo` is
/// ``QAPIObjectValue``<`QAPITags.StatusInfo`>; commands are ``QAPICommandValue``, events ``QAPIEventValue``,
/// enumerations ``QAPIEnumValue``, alternates ``QAPIAlternateValue``), so the conformances are compiled once rather
/// than for each of the ~1 100 schema types; the typed members are constrained extensions of the wrapper.
///
/// ```swift
/// var add = QAPI.BlockdevAdd(driver: .qcow2, nodeName: "d1")
/// add.file = .reference("proto0")
/// if try await client.supports(QAPI.BlockdevAdd.self) { _ = try await client.execute(add) }
/// ```
public enum QAPI {
    /// The QEMU guest agent's commands and types (`qga/qapi-schema.json`).
    public enum Agent {}
}

/// What QEMU's schema says about one declaration: its wire name, its kind, the version that added it and its
/// features (`deprecated`, `unstable`, ...).
public struct QAPIDeclarationInfo: Sendable, Hashable {
    /// The kind of a declaration.
    public enum Kind: Sendable, Hashable {
        /// A command (`blockdev-add`).
        case command
        /// An event (`DEVICE_DELETED`).
        case event
        /// A struct (`BlockInfo`).
        case structure
        /// A union: a struct whose variant members depend on a tag member.
        case union
        /// An enumeration: a set of wire strings.
        case enumeration
        /// An alternate: one value that takes one of several JSON shapes.
        case alternate
    }

    /// The wire name (`blockdev-add`, `DEVICE_DELETED`, `BlockInfo`).
    public var name: String
    /// What it is.
    public var kind: Kind
    /// The QEMU version that added it, when the schema says.
    public var since: QEMUVersion?
    /// Its features, such as `deprecated` and `unstable`.
    public var features: [String]

    /// A declaration's facts.
    public init(name: String, kind: Kind, since: QEMUVersion?, features: [String]) {
        self.name = name
        self.kind = kind
        self.since = since
        self.features = features
    }

    /// The schema marks it `deprecated`.
    public var isDeprecated: Bool { features.contains("deprecated") }
    /// The schema marks it `unstable`.
    public var isUnstable: Bool { features.contains("unstable") }

    /// Whether a QEMU of `version` should have it, by its `since` version (`true` when the schema gives none).
    public func isAvailable(in version: QEMUVersion) -> Bool {
        guard let since else { return true }
        return version >= since
    }
}

/// JSON `null`, for alternates and members that take it.
public struct QAPINull: QAPIValue, Hashable {
    /// The null value.
    public init() {}
    /// Reads `null` only.
    public init?(qapiJSON: JSON) {
        guard case .null = qapiJSON else { return nil }
    }
    /// `null`.
    public var qapiJSON: JSON { .null }
}
