#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QMP

/// What a finished command printed and how it ended.
public struct ProcessResult: Sendable, CustomStringConvertible {
    /// Exit status, or 128 + signal number when killed by a signal.
    public var status: Int32
    /// Everything the program wrote to its standard output, decoded as UTF-8 (invalid bytes replaced).
    public var standardOutput: String
    /// Everything the program wrote to its standard error, decoded as UTF-8 (invalid bytes replaced).
    public var standardError: String

    public var description: String { "exit \(status)\nstdout: \(standardOutput)\nstderr: \(standardError)" }
}

/// Runs programs for end-to-end tests (e.g. the built `qmpsh`), never through a shell.
public enum ChildProcess {
    /// The directory holding this test run's built products (where `swift build` put `qmpsh`).
    public static var productsDirectory: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return ".build/debug" }
        var path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // swift-testing runs inside `<products>/<package>PackageTests.xctest`.
        while let slash = path.lastIndex(of: "/") {
            path = String(path[..<slash])
            if access(path + "/qmpsh", X_OK) == 0 { return path }
        }
        return ".build/debug"
    }

    /// The qmpsh under test: `$QMPKIT_QMPSH` when set (CI points it at the release build, to test the binary people
    /// run), else the one built with the tests in ``productsDirectory``.
    public static var qmpsh: String {
        if let value = getenv("QMPKIT_QMPSH"), value.pointee != 0 { return String(cString: value) }
        return productsDirectory + "/qmpsh"
    }

    /// Runs `argv` to completion with `input` on its standard input; throws if it is still running after `timeout`
    /// (it is then killed).
    /// `inheriting` maps descriptors of this process to descriptor numbers in the child (e.g. a listening socket
    /// to 3).
    public static func run(
        _ argv: [String], input: String = "", inheriting descriptors: [(Int32, Int32)] = [], timeout: Duration = .seconds(60)
    ) async throws -> ProcessResult {
        let directory = try TemporaryDirectory(prefix: "qmpkit-run")
        let inputPath = directory.file("stdin")
        let outputPath = directory.file("stdout")
        let errorPath = directory.file("stderr")
        try writeFile(inputPath, input)
        let pid = try spawn(argv, stdin: inputPath, stdout: outputPath, stderr: errorPath, inheriting: descriptors)
        let status = try await waitForExit(pid: pid, timeout: timeout)
        return ProcessResult(status: status, standardOutput: try readFile(outputPath), standardError: try readFile(errorPath))
    }

    /// Waits for `pid` on a thread of its own; kills it and throws when it runs longer than `timeout`.
    static func waitForExit(pid: pid_t, timeout: Duration) async throws -> Int32 {
        let outcome: (status: Int32, timedOut: Bool) = await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                await withUnsafeContinuation { continuation in
                    startThread {
                        var raw: Int32 = 0
                        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                        continuation.resume(returning: (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f))
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            if let status = await group.next()!, true {
                group.cancelAll()
                return (status, false)
            }
            kill(pid, SIGKILL)
            return (await group.next()! ?? -1, true)
        }
        if outcome.timedOut { throw TestSupportError("process \(pid) still running after \(timeout); killed") }
        return outcome.status
    }

    /// Writes `text` to `path` (created 0600).
    public static func writeFile(_ path: String, _ text: String) throws {
        guard let file = fopen(path, "w") else { throw TestSupportError("cannot write \(path)") }
        defer { fclose(file) }
        var text = text
        text.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, file) }
    }

    /// Reads the whole file at `path` as UTF-8.
    public static func readFile(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw TestSupportError("cannot read \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
