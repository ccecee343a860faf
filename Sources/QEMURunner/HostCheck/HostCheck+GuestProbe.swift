#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QMP
import Synchronization

extension HostCheck {
    /// A short boot of a guest kernel under one accelerator, watching its serial console for the kernel's banner
    /// (`Linux version ...`, its very first message; with `earlyprintk` it comes within a second under a working
    /// KVM). QEMU is killed as soon as the banner shows or the time is up, so the probe is bounded.
    public struct GuestBootProbe: Sendable, Hashable {
        /// The accelerator the probe booted with: `kvm` or `tcg`.
        public var accelerator: String
        /// The bzImage kernel that was booted.
        public var kernel: String
        /// How long the banner was waited for.
        public var timeout: Duration
        /// When the banner appeared, from QEMU's launch; `nil` when it did not.
        public var bannerAfter: Duration?
        /// The banner line, e.g. `Linux version 6.1.0-56-amd64 (...)`.
        public var banner: String?
        /// The last line the console printed (where a hung guest stopped), empty when it printed nothing.
        public var lastLine: String
        /// How QEMU ended and what it said, when it ended by itself before the banner (e.g. KVM refused).
        public var qemuFailure: String?

        /// The kernel printed its banner in time.
        public var madeProgress: Bool { bannerAfter != nil }
    }

    /// Boots `kernel` (a bzImage) under `accelerator` on machine `pc` with no disk and no initrd, for at most
    /// `timeout`.
    public static func probeGuestBoot(
        qemu: String = defaultQEMU, accelerator: String, kernel: String, timeout: Duration
    ) async -> GuestBootProbe {
        var probe = GuestBootProbe(accelerator: accelerator, kernel: kernel, timeout: timeout, lastLine: "")
        let directory: RuntimeDirectory
        do { directory = try RuntimeDirectory.create(prefix: "qmpkit-probe") } catch {
            probe.qemuFailure = error.message
            return probe
        }
        defer { directory.remove() }
        let stderrPath = directory.file("stderr")
        let argv = [
            qemu, "-display", "none", "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", accelerator,
            "-m", "128", "-no-reboot", "-kernel", kernel, "-append", "console=ttyS0 earlyprintk=ttyS0 panic=-1",
            "-chardev", "socket,id=ser0,fd=3", "-serial", "chardev:ser0",
        ]
        let started = ContinuousClock.now
        let process: Subprocess
        let console: SocketConnection
        do { (process, console) = try launchWithSocket(argv, stderr: stderrPath) } catch {
            probe.qemuFailure = error.message
            return probe
        }
        let watch = ConsoleWatch(needle: "Linux version", started: started)
        watch.start(reading: console)
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await watch.finished()
                return false
            }
            group.addTask {
                // Ends the boot either way: at the time limit, or when cancelled because the watch is done.
                try? await Task.sleep(for: timeout)
                let expired = !Task.isCancelled
                process.signal(SIGKILL)
                console.shutdown()
                return expired
            }
            var expired = await group.next() ?? false
            group.cancelAll()
            for await result in group { expired = expired || result }
            return expired
        }
        process.signal(SIGKILL)
        let termination = await process.wait()
        let result = watch.result()
        probe.bannerAfter = result.bannerAfter
        probe.banner = result.banner
        probe.lastLine = result.lastLine
        if result.bannerAfter == nil && !timedOut {
            let stderr = oneLine(readTextFile(stderrPath) ?? "")
            probe.qemuFailure = "QEMU ended (\(termination))" + (stderr.isEmpty ? "" : ": \(stderr)")
        }
        return probe
    }
}

/// Reads a console on a thread of its own until `needle` shows up or the stream ends.
private final class ConsoleWatch: Sendable {
    struct Outcome {
        var bannerAfter: Duration?
        var banner: String?
        var lastLine: String
    }

    private struct State {
        var bytes: [UInt8] = []
        var bannerAfter: Duration?
        /// Where the needle starts in `bytes`.
        var bannerAt: Int?
        var done = false
        var waiters: [UnsafeContinuation<Void, Never>] = []
    }

    private let needle: [UInt8]
    private let started: ContinuousClock.Instant
    private let state = Mutex(State())

    init(needle: String, started: ContinuousClock.Instant) {
        self.needle = Array(needle.utf8)
        self.started = started
    }

    func start(reading connection: SocketConnection) {
        startThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = (try? buffer.withUnsafeMutableBytes { raw throws(QMPConnectionError) in
                    try connection.receive(into: raw)
                }) ?? 0
                if count <= 0 { break }
                let complete = state.withLock { state -> Bool in
                    state.bytes += buffer[0..<count]
                    if state.bannerAt == nil, state.bytes.count > 65536 {
                        state.bytes.removeFirst(state.bytes.count - 65536)
                    }
                    if state.bannerAt == nil, let index = firstIndex(of: needle, in: state.bytes) {
                        state.bannerAt = index
                        state.bannerAfter = started.duration(to: .now)
                    }
                    // Done once the banner's line is complete (it follows within microseconds).
                    guard let start = state.bannerAt else { return false }
                    return state.bytes[start...].contains(UInt8(ascii: "\n"))
                }
                if complete { break }
            }
            let waiters = state.withLock { state in
                state.done = true
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Returns once the needle was seen or the console ended.
    func finished() async {
        await withUnsafeContinuation { continuation in
            let done = state.withLock { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }

    func result() -> Outcome {
        state.withLock { state in
            let text = String(decoding: state.bytes, as: UTF8.self)
            let lines = text.split(whereSeparator: \.isNewline).map { HostCheck.trim($0) }.filter { !$0.isEmpty }
            let banner = lines.first { $0.contains("Linux version") }.map { line in
                String(line[line.firstRange(of: "Linux version")!.lowerBound...])
            }
            return Outcome(bannerAfter: state.bannerAfter, banner: banner, lastLine: lines.last ?? "")
        }
    }
}

private func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    outer: for start in 0...(haystack.count - needle.count) {
        for offset in 0..<needle.count where haystack[start + offset] != needle[offset] { continue outer }
        return start
    }
    return nil
}
