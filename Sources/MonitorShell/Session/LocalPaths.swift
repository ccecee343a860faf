#if canImport(Glibc)
import Glibc
#endif
import HMP
public import QMPWire

/// File names typed at qmpsh mean what the user meant (issue 15): for a monitor on this machine, a relative file
/// name is resolved against the user's working directory before it is sent, because QEMU would resolve it against
/// its own.
///
/// Only file-name arguments are touched: QMP keys `filename` and any `….filename` (at any depth), HMP
/// `change DEVICE FILE`, `screendump FILE` and `drive_add`'s `file=`. A value that starts with `/` or has a
/// protocol prefix (`nbd:`, `json:`, `http:` …) is left as it is.
///
/// ```swift
/// LocalPaths(directory: "/home/me").resolving(["filename": "b.iso", "id": "cdrom0"])
/// // ["filename": "/home/me/b.iso", "id": "cdrom0"]
/// ```
public struct LocalPaths: Sendable, Equatable {
    /// The folder relative names are resolved against (an absolute path).
    public var directory: String

    /// Resolves against `directory`, which should be absolute.
    public init(directory: String) {
        self.directory = directory
    }

    /// The process's working directory; `nil` when it cannot be read.
    public static var current: LocalPaths? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return LocalPaths(directory: String(decoding: bytes, as: UTF8.self))
    }

    /// The resolver for `monitor` (as named on the command line) when it is on this machine — a unix socket, a
    /// passed descriptor or a guest's name — with the working directory; `nil` for remote monitors (TCP, libvirt).
    public static func forMonitor(_ monitor: String) -> LocalPaths? {
        if monitor.hasPrefix("libvirt") || monitor.hasPrefix("qga:") { return nil }
        guard let target = try? MonitorTarget(parsing: MonitorConnector.resolvingGuestName(monitor)) else { return nil }
        switch target {
        case .qmp(.tcp), .hmp(.tcp): return nil
        default: return current
        }
    }

    /// `path` made absolute when it is a relative file name (see the type's description).
    public func resolve(_ path: String) -> String {
        guard !path.isEmpty, !path.hasPrefix("/"), !Self.hasProtocolPrefix(path) else { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        if relative.isEmpty || relative == "." { return directory }
        return directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    /// `nbd:…`, `json:{…}`, `http://…`: a name followed by `:` before any `/`.
    static func hasProtocolPrefix(_ path: String) -> Bool {
        guard let colon = path.firstIndex(of: ":") else { return false }
        let scheme = path[..<colon]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
    }

    /// QMP arguments with every `filename` (at any depth, also dotted keys such as `file.filename`) resolved.
    public func resolving(_ arguments: JSONObject) -> JSONObject {
        var result = JSONObject()
        for (key, value) in arguments {
            let isFileName = key == "filename" || key.hasSuffix(".filename")
            switch value {
            case .string(let text) where isFileName: result[key] = .string(resolve(text))
            case .object(let inner): result[key] = .object(resolving(inner))
            default: result[key] = value
            }
        }
        return result
    }

    /// The arguments of QMP command `name` resolved: every `filename` (``resolving(_:)``), and for
    /// `human-monitor-command` its `command-line` as an HMP line (``resolvingHMP(_:)``).
    public func resolving(command name: String, arguments: JSONObject) -> JSONObject {
        var result = resolving(arguments)
        if name == "human-monitor-command", case .string(let line)? = result["command-line"] {
            result["command-line"] = .string(resolvingHMP(line))
        }
        return result
    }

    /// An HMP command line with its file argument resolved: `change DEVICE FILE [FORMAT]`, `screendump FILE …`,
    /// `drive_add … file=FILE,…`. Other commands are returned unchanged.
    public func resolvingHMP(_ line: String) -> String {
        var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let command = words.first else { return line }
        switch command {
        case "change" where words.count >= 3 && words[1] != "vnc":
            words[2] = resolve(words[2])
        case "screendump" where words.count >= 2 && !words[1].hasPrefix("-"):
            words[1] = resolve(words[1])
        case "drive_add" where words.count >= 3:
            words[2] = words[2].split(separator: ",", omittingEmptySubsequences: false).map { option in
                option.hasPrefix("file=") ? "file=" + resolve(String(option.dropFirst(5))) : String(option)
            }.joined(separator: ",")
        default:
            return line
        }
        return words.joined(separator: " ")
    }
}
