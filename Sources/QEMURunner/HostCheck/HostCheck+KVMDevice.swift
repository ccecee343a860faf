#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HostCheck {
    /// What `/dev/kvm` looks like to this process.
    ///
    /// Opening it read-write is what QEMU needs; ``canOpen`` says whether that works for this user. It does not
    /// promise that guests run (see ``HostCheck``).
    public struct KVMDevice: Sendable, Hashable {
        /// The device path checked, normally `/dev/kvm`.
        public var path: String
        /// Whether anything is at ``path``.
        public var exists = false
        /// Whether it is a character device (anything else is not KVM).
        public var isCharacterDevice = false
        /// Permission bits, e.g. `0o660`.
        public var mode: UInt32 = 0
        /// The owning user's name (or uid when it has no name); empty when the device does not exist.
        public var owner = ""
        /// The owning group's name (usually `kvm`; or gid when it has no name); empty when the device does not exist.
        public var group = ""
        /// `errno` of `open(O_RDWR)`; `nil` when it opened (or does not exist).
        public var openError: Int32?
        /// `KVM_GET_API_VERSION` (12 on every Linux since 2.6.22); `nil` when the device did not open.
        public var apiVersion: Int32?

        /// The device exists and this user can open it read-write.
        public var canOpen: Bool { exists && isCharacterDevice && openError == nil }

        /// Looks at the device at `path`: stat, open read-write, ask its API version.
        public static func inspect(_ path: String = "/dev/kvm") -> KVMDevice {
            var device = KVMDevice(path: path)
            var info = stat()
            guard stat(path, &info) == 0 else { return device }
            device.exists = true
            device.isCharacterDevice = (info.st_mode & S_IFMT) == S_IFCHR
            device.mode = UInt32(info.st_mode & 0o7777)
            device.owner = userName(info.st_uid)
            device.group = groupName(info.st_gid)
            let fd = open(path, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else {
                device.openError = errno
                return device
            }
            defer { close(fd) }
            let version = ioctl(fd, 0xAE00)  // KVM_GET_API_VERSION = _IO(KVMIO 0xAE, 0x00)
            device.apiVersion = version >= 0 ? version : nil
            return device
        }

        /// `crw-rw---- root:kvm`.
        public var permissionsDescription: String {
            var text = isCharacterDevice ? "c" : "-"
            let letters: [Character] = ["r", "w", "x"]
            for bit in 0..<9 {
                text.append(mode & (0o400 >> UInt32(bit)) != 0 ? letters[bit % 3] : "-")
            }
            return "\(text) \(owner):\(group)"
        }
    }
}

// MARK: - Users and groups

extension HostCheck {
    /// This process's user name (or `uid N`).
    static var currentUserName: String { userName(geteuid()) }

    /// Whether this process is in group `gid` (primary or supplementary).
    static func currentUserIsInGroup(_ gid: gid_t) -> Bool {
        if getegid() == gid { return true }
        let count = getgroups(0, nil)
        guard count > 0 else { return false }
        var groups = [gid_t](repeating: 0, count: Int(count))
        let got = getgroups(count, &groups)
        return got > 0 && groups[0..<Int(got)].contains(gid)
    }

    static func groupID(of path: String) -> gid_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_gid : nil
    }
}

private func userName(_ uid: uid_t) -> String {
    guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
    return String(cString: name)
}

private func groupName(_ gid: gid_t) -> String {
    guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "gid \(gid)" }
    return String(cString: name)
}
