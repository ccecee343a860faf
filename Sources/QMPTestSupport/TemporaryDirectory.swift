#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private (0700) directory under `/tmp`, removed with everything in it by ``remove()`` or on release.
///
/// The path is short on purpose: Unix socket paths are limited to 107 bytes.
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path, e.g. `/tmp/qmpkit-Ab12Cd`.
    public let path: String

    /// Creates `/tmp/PREFIX-XXXXXX` (mode 0700, via `mkdtemp`). Throws ``TestSupportError`` when it cannot.
    public init(prefix: String = "qmpkit") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestSupportError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: result)
    }

    deinit { remove() }

    /// `path/name`.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Removes the directory and its contents (files and sockets; one level of subdirectories).
    public func remove() {
        guard let directory = opendir(path) else { return }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let child = "\(path)/\(name)"
            if unlink(child) != 0 { _ = TemporaryDirectory.removeTree(child) }
        }
        closedir(directory)
        rmdir(path)
    }

    private static func removeTree(_ path: String) -> Bool {
        guard let directory = opendir(path) else { return unlink(path) == 0 }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let child = "\(path)/\(name)"
            if unlink(child) != 0 { _ = removeTree(child) }
        }
        closedir(directory)
        return rmdir(path) == 0
    }
}

/// A failure in the test-support helpers themselves (not in the code under test).
public struct TestSupportError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public var description: String
    /// A failure described by `description`.
    public init(_ description: String) { self.description = description }
}
