import QMPWire

/// `guest-info`: the agent's version and its commands.
public struct GuestAgentInfo: Sendable, Equatable, Decodable {
    /// One command the agent knows.
    public struct Command: Sendable, Equatable, Decodable {
        /// The command's wire name, e.g. `guest-ping`.
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

    /// The agent's version string, e.g. `7.2.22` (qemu-ga reports the QEMU release it was built from).
    public var version: String
    /// Every command this agent build knows, enabled or not, in the agent's order.
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
    /// The distribution's identifier (`ID` in os-release), e.g. `debian`.
    public var id: String?
    /// The distribution's name (`NAME` in os-release), e.g. `Debian GNU/Linux`.
    public var name: String?
    /// The distribution's display name with its version (`PRETTY_NAME` in os-release).
    public var prettyName: String?
    /// The distribution's version as text (`VERSION` in os-release), e.g. `12 (bookworm)`.
    public var version: String?
    /// The distribution's version number (`VERSION_ID` in os-release), e.g. `12`.
    public var versionID: String?
    /// The running kernel's release (`uname -r`), e.g. `6.1.0-18-amd64`.
    public var kernelRelease: String?
    /// The running kernel's build version (`uname -v`).
    public var kernelVersion: String?
    /// The guest's machine architecture (`uname -m`), e.g. `x86_64`.
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
    /// True once the program has ended; until then the other fields are empty.
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
    /// How the program ended, with its captured output.
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
        /// The address in text form, e.g. `10.0.2.15` or `fe80::5054:ff:fe12:3456`.
        public var address: String
        /// The network prefix length in bits (24 for a /24).
        public var prefix: Int

        enum CodingKeys: String, CodingKey {
            case prefix
            case type = "ip-address-type"
            case address = "ip-address"
        }
    }

    /// The interface's name in the guest, e.g. `eth0` or `lo`.
    public var name: String
    /// The MAC address, e.g. `52:54:00:12:34:56`; nil when the interface has none.
    public var hardwareAddress: String?
    /// The interface's IP addresses; nil when the agent reported none.
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
    /// The bus number on the controller.
    public var bus: Int
    /// The target (SCSI target, or the device number on buses without targets).
    public var target: Int
    /// The unit (logical unit) on the target.
    public var unit: Int
    /// The disk's serial number, when the guest can read one.
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
    /// True for a partition, false for a whole disk.
    public var partition: Bool
    /// The device nodes this one is built on (for example the partitions under a device-mapper node).
    public var dependencies: [String]?
    /// Where the disk sits on the guest's buses; nil for devices with no hardware behind them.
    public var address: GuestDiskAddress?
    /// The device-mapper name, for device-mapper nodes.
    public var alias: String?
}

/// `guest-get-fsinfo`: one mounted file system.
public struct GuestFilesystem: Sendable, Equatable, Decodable {
    /// The mounted device's name in the guest, e.g. `vda1`.
    public var name: String
    /// Where it is mounted, e.g. `/`.
    public var mountpoint: String
    /// The file system's type, e.g. `ext4`.
    public var type: String
    /// Bytes in use; nil when the guest does not report it.
    public var usedBytes: UInt64?
    /// Size in bytes, as the file system reports it; nil when the guest does not report it.
    public var totalBytes: UInt64?
    /// The disks the file system lives on.
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
    /// The CPU's number in the guest, from 0.
    public var logicalID: Int
    /// True when the guest uses the CPU; set it to false with `guest-set-vcpus` to take it offline.
    public var online: Bool
    /// Whether the guest may take this CPU offline; nil in values built for `guest-set-vcpus`.
    public var canOffline: Bool?

    /// A CPU state to send with `guest-set-vcpus`: the CPU numbered `logicalID` goes on- or offline.
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
    /// The login name, e.g. `root` (without the domain on Windows guests).
    public var user: String
    /// Seconds since the epoch.
    public var loginTime: Double
    /// The user's logon domain (Windows guests); nil on other guests.
    public var domain: String?

    enum CodingKeys: String, CodingKey {
        case user, domain
        case loginTime = "login-time"
    }
}

/// A reply of the agent that does not have the documented shape.
public struct GuestAgentDecodingError: Error, Sendable, CustomStringConvertible {
    /// The command and up to 200 characters of what the agent answered.
    public var description: String
    init(_ what: String, _ value: JSON) {
        description = "unexpected reply to \(what): \(value.serialized().prefix(200))"
    }
}
