#if canImport(Glibc)
import Glibc
#endif
import QMP
import QMPTestSupport
import Testing

/// Checks shared by the fault matrix: open descriptors, resident memory, QEMU processes, timings.
enum Probe {
    /// Descriptors open in this process.
    static func openDescriptorCount() -> Int {
        entryCount("/proc/self/fd") - 1  // the directory's own descriptor
    }

    /// Threads of this process (`/proc/self/task`).
    static func threadCount() -> Int { entryCount("/proc/self/task") }

    /// Entries of a directory, without `.` and `..`; -1 when it cannot be read.
    static func entryCount(_ path: String) -> Int {
        guard let directory = opendir(path) else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count - 2
    }

    /// What each open descriptor refers to (`readlink /proc/self/fd/N`), for leak messages.
    static func openDescriptors() -> [String] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard Int(name) != nil else { continue }
            var buffer = [CChar](repeating: 0, count: 512)
            let count = readlink("/proc/self/fd/\(name)", &buffer, 511)
            names.append("\(name) -> " + (count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"))
        }
        return names
    }

    /// Makes the runtime and the library open what they open once per process (Dispatch's timer descriptors,
    /// created on the first timed sleep of each kind; the time-limit scheduler's wake pipe), so that they do not
    /// count as a leak of the first test.
    static func warmUp() async {
        DeadlineScheduler.shared.cancel(DeadlineScheduler.shared.schedule(after: .seconds(1)) {})
        try? await Task.sleep(for: .microseconds(1))
        let long = Task { try? await Task.sleep(for: .seconds(600)) }
        let detached = Task.detached { try? await Task.sleep(for: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(1))
        long.cancel()
        detached.cancel()
        await long.value
        await detached.value
    }

    /// Resident memory of this process in KiB (`VmRSS` in /proc/self/status).
    static func residentKiB() -> Int {
        guard let text = try? ChildProcess.readFile("/proc/self/status") else { return -1 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
        }
        return -1
    }

    /// Processes whose command line contains `text` (e.g. a runtime directory's path), as `(pid, argv[0])`.
    static func processes(withCommandLineContaining text: String) -> [(Int32, String)] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [(Int32, String)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard let pid = Int32(name), pid != getpid() else { continue }
            guard let data = readBytes("/proc/\(pid)/cmdline"), !data.isEmpty else { continue }
            let arguments = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            // A zombie keeps no command line; a process being reaped may vanish between the two reads.
            if arguments.joined(separator: " ").contains(text) { found.append((pid, arguments.first ?? "")) }
        }
        return found
    }

    /// QEMU processes whose command line names `text`.
    static func qemuProcesses(mentioning text: String) -> [(Int32, String)] {
        processes(withCommandLineContaining: text).filter { $0.1.contains("qemu") || $0.1.contains("setpriv") }
    }

    static func readBytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// File mode bits (`st_mode & 0o777`).
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    /// Yields until `condition` holds; throws after `limit` instead of spinning forever. For states reached by other
    /// tasks of this process (e.g. calls registered as pending) that nothing signals.
    static func yieldUntil(
        _ what: String, within limit: Duration = .seconds(10), _ condition: () -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while !condition() {
            guard clock.now < deadline else { throw TestSupportError("\(what) did not happen within \(limit)") }
            await Task.yield()
        }
    }

    /// Waits until `condition` holds, polling; returns false at the deadline. For conditions with no event to wait
    /// on (a process the kernel has not yet reaped, a descriptor count).
    static func eventually(within limit: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// Runs `count` calls in parallel and returns each one's outcome.
func outcomes(of count: Int, _ call: @escaping @Sendable (Int) async throws -> JSON) async -> [Result<JSON, any Error>] {
    await withTaskGroup(of: (Int, Result<JSON, any Error>).self) { group in
        for index in 0..<count {
            group.addTask {
                do { return (index, .success(try await call(index))) } catch { return (index, .failure(error)) }
            }
        }
        var results = [Result<JSON, any Error>](repeating: .success(.null), count: count)
        for await (index, result) in group { results[index] = result }
        return results
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// A figure printed for RELIABILITY.md (`swift test ... | grep '^figure'`).
func report(_ text: String) {
    print("figure: \(text)")
}
