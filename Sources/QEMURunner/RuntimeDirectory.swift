#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private (0700) directory for a guest's sockets and logs, with a short path (Unix socket paths are limited to
/// 107 bytes): under `$XDG_RUNTIME_DIR` when that is short enough, else `/tmp`.
public struct RuntimeDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates a new directory `PREFIX-XXXXXX`.
    public static func create(prefix: String = "qmpkit") throws(RunnerError) -> RuntimeDirectory {
        var base = "/tmp"
        if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), !runtime.isEmpty, runtime.utf8.count < 40,
            access(runtime, W_OK) == 0
        {
            base = runtime
        }
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw RunnerError(.io, "cannot create a runtime directory in \(base): \(String(cString: strerror(errno)))")
        }
        let path = String(cString: result)
        chmod(path, 0o700)
        return RuntimeDirectory(path: path)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Removes the directory and everything in it.
    public func remove() {
        RuntimeDirectory.removeTree(path)
    }

    private static func removeTree(_ path: String) {
        guard let directory = opendir(path) else {
            unlink(path)
            return
        }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let child = "\(path)/\(name)"
            if unlink(child) != 0 { removeTree(child) }
        }
        closedir(directory)
        rmdir(path)
    }
}
