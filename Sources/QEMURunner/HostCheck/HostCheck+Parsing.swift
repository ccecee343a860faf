#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP

// MARK: - Defaults

extension HostCheck {
    /// `$QMPKIT_QEMU`, else `qemu-system-x86_64`.
    public static var defaultQEMU: String {
        if let value = getenv("QMPKIT_QEMU"), value.pointee != 0 { return String(cString: value) }
        return "qemu-system-x86_64"
    }

    /// The test guest's kernel: `KERNEL=` of `guest.env` in `$QMPKIT_GUEST_DIR`, else `~/.cache/qmpkit/guest`
    /// (what `scripts/build-test-guest.sh` builds); `nil` when there is none.
    public static var defaultGuestKernel: String? {
        let directory: String
        if let value = getenv("QMPKIT_GUEST_DIR"), value.pointee != 0 {
            directory = String(cString: value)
        } else if let home = getenv("HOME"), home.pointee != 0 {
            directory = String(cString: home) + "/.cache/qmpkit/guest"
        } else {
            return nil
        }
        guard let text = readTextFile(directory + "/guest.env"), let kernel = parseGuestEnvironment(text)["KERNEL"],
            access(kernel, R_OK) == 0
        else { return nil }
        return kernel
    }
}

// MARK: - Parsing tool output

extension HostCheck {
    /// Reads `QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)` or `qemu-img version 8.2.0`:
    /// the version numbers and the package string in parentheses; `nil` when there is no `version N.N`.
    public static func parseVersion(_ output: String) -> QEMUVersion? {
        let line = output.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard let marker = line.firstRange(of: "version ") else { return nil }
        var rest = line[marker.upperBound...]
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        rest = rest.dropFirst(number.count)
        let parts = number.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count >= 2, parts.count <= 3, let major = parts[0], let minor = parts[1] else { return nil }
        let micro = parts.count == 3 ? parts[2] : 0
        guard let micro else { return nil }
        var package = ""
        let afterSpaces = rest.drop { $0 == " " }
        if afterSpaces.first == "(", let close = afterSpaces.lastIndex(of: ")") {
            package = String(afterSpaces[afterSpaces.index(after: afterSpaces.startIndex)..<close])
        }
        return QEMUVersion(major: major, minor: minor, micro: micro, package: package)
    }

    /// Reads `qemu-system-x86_64 -accel help`: the names under "Accelerators supported in QEMU binary:".
    public static func parseAcceleratorHelp(_ output: String) -> [String] {
        output.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            let name = trim(line)
            guard !name.isEmpty, !name.contains(":"),
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            else { return nil }
            return name
        }
    }

    /// Reads `NAME=VALUE` lines (a `guest.env`); blank lines and `#` comments are skipped, quotes removed.
    public static func parseGuestEnvironment(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = trim(line)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var value = trimmed[trimmed.index(after: equals)...]
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            result[String(trimmed[..<equals])] = String(value)
        }
        return result
    }

    /// The hardware virtualization flags (`vmx`: Intel VT-x, `svm`: AMD-V) in `/proc/cpuinfo` text — what
    /// `kvm-ok` looks for.
    public static func cpuVirtualizationFlags(cpuinfo: String) -> [String] {
        var found: [String] = []
        for line in cpuinfo.split(whereSeparator: \.isNewline) where line.hasPrefix("flags") {
            for flag in line.split(separator: " ") where flag == "vmx" || flag == "svm" {
                if !found.contains(String(flag)) { found.append(String(flag)) }
            }
        }
        return found
    }

    /// A short machine list like `-M ?`'s, default marked: the short names (aliases and unversioned types), then
    /// a count of the older versioned ones.
    package static func machineSummary(_ machines: [MachineInfo]) -> (message: String, details: [String]) {
        let defaultMachine = machines.first { $0.isDefault == true }
        let aliasTargets = Set(machines.compactMap { $0.alias == nil ? nil : $0.name })
        var rows: [(name: String, note: String)] = []
        for machine in machines.sorted(by: { ($0.alias ?? $0.name) < ($1.alias ?? $1.name) }) {
            let isDefault = machine.isDefault == true
            if let alias = machine.alias {
                rows.append((alias, "= \(machine.name)" + (isDefault ? " (default)" : "")))
            } else if !isVersioned(machine.name) || isDefault {
                rows.append((machine.name, isDefault ? "(default)" : ""))
            }
        }
        let versioned = machines.filter { isVersioned($0.name) && !aliasTargets.contains($0.name) && $0.isDefault != true }
        let width = rows.map(\.name.count).max() ?? 0
        var details = rows.map { row in
            row.note.isEmpty ? row.name : row.name + String(repeating: " ", count: width - row.name.count + 2) + row.note
        }
        if !versioned.isEmpty {
            let names = versioned.map(\.name).sorted()
            details.append("+ \(versioned.count) older versioned types (\(names.first!) … \(names.last!))")
        }
        var message = "\(machines.count) machine types"
        if let defaultMachine {
            message += "; default \(defaultMachine.alias.map { "\($0) (\(defaultMachine.name))" } ?? defaultMachine.name)"
        }
        return (message, details)
    }

    /// `pc-i440fx-7.2`, `pc-q35-2.4`, `xenfv-4.2`: ends in `-N.N`.
    private static func isVersioned(_ name: String) -> Bool {
        guard let dash = name.lastIndex(of: "-") else { return false }
        let tail = name[name.index(after: dash)...]
        let parts = tail.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}

// MARK: - Small host helpers

extension HostCheck {
    /// The executable `name` would run: `name` itself when it contains a `/`, else the first match in `PATH`.
    package static func findExecutable(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// `text` without leading and trailing spaces, tabs and carriage returns.
    static func trim(_ text: some StringProtocol) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice.removeLast() }
        return String(slice)
    }
}
