import QMPWire

/// `guest-info`: the agent's version and its commands.
public struct GuestAgentInfo: Sendable, Equatable, Decodable {
    /// One command the agent knows.
    public struct Command: Sendable, Equatable, Decodable {
        public var name: String
        /// False when the guest's administrator disabled it (`qemu-ga --block-rpcs`).
        public var enabled: Bool
        /// False for commands that end the connection instead of answering (`guest-shutdown`).
        public var successResponse: Bool

        enum CodingKeys: String, CodingKey {
            case name, enabled
            case successResponse = "success-response"
        }
    }

    public var version: String
    public var supportedCommands: [Command]

    enum CodingKeys: String, CodingKey {
        case version
        case supportedCommands = "supported_commands"
    }

    /// Names of the enabled commands, sorted.
    public var enabledCommandNames: [String] { supportedCommands.filter(\.enabled).map(\.name).sorted() }
}

/// `guest-get-osinfo`: the guest's operating system (every field may be missing).
public struct GuestOSInfo: Sendable, Equatable, Decodable {
    public var id: String?
    public var name: String?
    public var prettyName: String?
    public var version: String?
    public var versionID: String?
    public var kernelRelease: String?
    public var kernelVersion: String?
    public var machine: String?

    enum CodingKeys: String, CodingKey {
        case id, name, version, machine
        case prettyName = "pretty-name"
        case versionID = "version-id"
        case kernelRelease = "kernel-release"
        case kernelVersion = "kernel-version"
    }
}

/// `guest-exec-status`: a program started with `guest-exec`.
public struct GuestExecStatus: Sendable, Equatable {
    public var exited: Bool
    /// The exit code, once exited normally.
    public var exitCode: Int?
    /// The signal that ended it, if one did.
    public var signal: Int?
    /// Captured standard output (decoded from base64), when captured.
    public var stdout: [UInt8]
    /// Captured standard error (decoded from base64), when captured.
    public var stderr: [UInt8]
    /// The agent cut the captured output short (it keeps at most 16 MiB).
    public var outputTruncated: Bool

    init(_ value: JSON) throws {
        guard let object = value.objectValue, let exited = object["exited"]?.boolValue else {
            throw GuestAgentDecodingError("guest-exec-status", value)
        }
        self.exited = exited
        exitCode = object["exitcode"]?.intValue
        signal = object["signal"]?.intValue
        stdout = try Self.bytes(object["out-data"])
        stderr = try Self.bytes(object["err-data"])
        outputTruncated = object["out-truncated"]?.boolValue == true || object["err-truncated"]?.boolValue == true
    }

    private static func bytes(_ value: JSON?) throws -> [UInt8] {
        guard let value else { return [] }
        guard let text = value.stringValue, let bytes = Base64.decode(text) else {
            throw GuestAgentDecodingError("guest-exec-status output", value)
        }
        return bytes
    }

    /// The exit status a shell would report: the exit code, or 128 + the signal.
    public var shellStatus: Int32 { Int32(exitCode ?? signal.map { 128 + $0 } ?? 1) }
}

/// The result of ``GuestAgentConnection/run(_:arguments:environment:input:timeout:)``.
public struct GuestExecResult: Sendable, Equatable {
    public var status: GuestExecStatus
    /// The process id in the guest.
    public var pid: Int
    /// Standard output as text (lossy UTF-8).
    public var stdoutText: String { String(decoding: status.stdout, as: UTF8.self) }
    /// Standard error as text (lossy UTF-8).
    public var stderrText: String { String(decoding: status.stderr, as: UTF8.self) }
}

/// `guest-network-get-interfaces`: one network interface.
public struct GuestNetworkInterface: Sendable, Equatable, Decodable {
    /// One address.
    public struct Address: Sendable, Equatable, Decodable {
        /// `ipv4` or `ipv6`.
        public var type: String
        public var address: String
        public var prefix: Int

        enum CodingKeys: String, CodingKey {
            case prefix
            case type = "ip-address-type"
            case address = "ip-address"
        }
    }

    public var name: String
    public var hardwareAddress: String?
    public var addresses: [Address]?

    enum CodingKeys: String, CodingKey {
        case name
        case hardwareAddress = "hardware-address"
        case addresses = "ip-addresses"
    }
}

/// Where a disk sits on the guest's buses (part of `guest-get-disks` and `guest-get-fsinfo`).
public struct GuestDiskAddress: Sendable, Equatable, Decodable {
    /// `ide`, `scsi`, `virtio`, `sata`, `usb`, ...
    public var busType: String
    public var bus: Int
    public var target: Int
    public var unit: Int
    public var serial: String?
    /// The device node, e.g. `/dev/vda`.
    public var device: String?

    enum CodingKeys: String, CodingKey {
        case bus, target, unit, serial
        case busType = "bus-type"
        case device = "dev"
    }
}

/// `guest-get-disks`: one block device of the guest.
public struct GuestDisk: Sendable, Equatable, Decodable {
    /// The device node, e.g. `/dev/vda` or `/dev/vda1`.
    public var name: String
    public var partition: Bool
    public var dependencies: [String]?
    public var address: GuestDiskAddress?
    public var alias: String?
}

/// `guest-get-fsinfo`: one mounted file system.
public struct GuestFilesystem: Sendable, Equatable, Decodable {
    public var name: String
    public var mountpoint: String
    public var type: String
    public var usedBytes: UInt64?
    public var totalBytes: UInt64?
    public var disks: [GuestDiskAddress]

    enum CodingKeys: String, CodingKey {
        case name, mountpoint, type
        case usedBytes = "used-bytes"
        case totalBytes = "total-bytes"
        case disks = "disk"
    }
}

/// `guest-get-vcpus`: one virtual CPU as the guest sees it.
public struct GuestVCPU: Sendable, Equatable, Codable {
    public var logicalID: Int
    public var online: Bool
    public var canOffline: Bool?

    public init(logicalID: Int, online: Bool) {
        self.logicalID = logicalID
        self.online = online
    }

    enum CodingKeys: String, CodingKey {
        case online
        case logicalID = "logical-id"
        case canOffline = "can-offline"
    }
}

/// `guest-get-users`: a logged-in user.
public struct GuestUser: Sendable, Equatable, Decodable {
    public var user: String
    /// Seconds since the epoch.
    public var loginTime: Double
    public var domain: String?

    enum CodingKeys: String, CodingKey {
        case user, domain
        case loginTime = "login-time"
    }
}

/// A reply of the agent that does not have the documented shape.
public struct GuestAgentDecodingError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ what: String, _ value: JSON) {
        description = "unexpected reply to \(what): \(value.serialized().prefix(200))"
    }
}
