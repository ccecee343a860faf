#if canImport(Glibc)
import Glibc
#endif
import QEMURunner
import QMP
import QMPWire

// qmpkit-soak: one test guest, hot-plug/unplug of a disk and a CD swap in a loop, with the client's memory sampled
// every cycle. Not part of the test suite; figures go to RELIABILITY.md.
//
//   swift run qmpkit-soak --cycles 100 [--guest-env ~/.cache/qmpkit/guest/guest.env] [--every 10] [--event-history 256]
//
// Exit status: 0 when every cycle succeeded, the RSS stayed flat and no QEMU was left; 1 otherwise.

struct SoakError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct Options {
    var cycles = 50
    var guestEnv = (getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest/guest.env"
    var every = 10
    /// The client's event history bound; small, so that a short soak runs past it and shows a flat RSS.
    var eventHistory = 256

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            func value() throws -> String {
                guard let next = rest.popFirst() else { throw SoakError("\(argument) needs a value") }
                return next
            }
            switch argument {
            case "--cycles":
                guard let count = Int(try value()), count > 0 else { throw SoakError("--cycles needs a positive number") }
                cycles = count
            case "--guest-env": guestEnv = try value()
            case "--every":
                guard let count = Int(try value()), count > 0 else { throw SoakError("--every needs a positive number") }
                every = count
            case "--event-history":
                guard let count = Int(try value()), count > 0 else { throw SoakError("--event-history needs a positive number") }
                eventHistory = count
            case "-h", "--help":
                say("usage: qmpkit-soak [--cycles N (50)] [--guest-env FILE] [--every N (print RSS every N cycles)] [--event-history N (256)]")
                exit(0)
            default: throw SoakError("unknown argument '\(argument)' (see --help)")
            }
        }
    }
}

/// `KEY=VALUE` lines of scripts/build-test-guest.sh's guest.env.
func readGuestEnvironment(_ path: String) throws -> [String: String] {
    guard let text = readTextFile(path) else {
        throw SoakError("cannot read \(path): build the test guest with scripts/build-test-guest.sh")
    }
    var values: [String: String] = [:]
    for line in text.split(separator: "\n") {
        guard let equals = line.firstIndex(of: "=") else { continue }
        values[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    return values
}

func residentKiB() -> Int {
    guard let text = readTextFile("/proc/self/status") else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

/// Processes whose command line mentions `text` (QEMU names its runtime directory in its arguments).
func processes(mentioning text: String) -> [Int32] {
    guard let directory = opendir("/proc") else { return [] }
    defer { closedir(directory) }
    var found: [Int32] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        guard let pid = Int32(name), pid != getpid(), let commandLine = readTextFile("/proc/\(pid)/cmdline") else { continue }
        if commandLine.contains(text) { found.append(pid) }
    }
    return found
}

/// One line on standard output, written at once (progress shows as it happens when piped to a file).
func say(_ text: String) {
    let line = text + "\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// Runs a shell command in the guest and returns its output (up to the next prompt).
func run(_ command: String, on guest: Guest, timeout: Duration = .seconds(30)) async throws -> String {
    try guest.console.send(command + "\n")
    let output = try await guest.console.expect("guest# ", timeout: timeout)
    return String(output.dropLast("guest# ".count))
}

/// Runs `command` until its output satisfies `condition` (the guest notices hot-plug asynchronously).
func poll(_ command: String, on guest: Guest, timeout: Duration = .seconds(30), until condition: (String) -> Bool)
    async throws -> String
{
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        let output = try await run(command, on: guest)
        if condition(output) { return output }
        guard clock.now < deadline else { throw SoakError("'\(command)' never gave the expected output; last: \(output)") }
    }
}

/// One disk hot-plug round trip, checked from inside the guest.
func diskCycle(_ guest: Guest, image: String) async throws {
    let client = guest.client
    _ = try await client.execute(BlockdevAdd.qcow2File(nodeName: "soak0", filename: image))
    _ = try await client.execute(DeviceAdd(driver: "virtio-blk-pci", id: "vd1", properties: ["drive": "soak0"]))
    _ = try await poll("ls /sys/block", on: guest) { $0.contains("vda") }
    _ = try await client.execute(DeviceDel(id: "vd1"))
    _ = try await client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(30)) { $0.device == "vd1" }
    _ = try await client.execute(BlockdevDel(nodeName: "soak0"))
    _ = try await poll("ls /sys/block", on: guest) { !$0.contains("vda") }
}

/// Swaps the CD to `iso` (label `label`), waits for the tray to open and close, and reads the label in the guest.
func cdCycle(_ guest: Guest, iso: String, label: String) async throws {
    let client = guest.client
    let tray = client.events(.names(DeviceTrayMovedEvent.name))
    defer { tray.cancel() }
    _ = try await client.execute(BlockdevChangeMedium(id: MachineConfiguration.cdromDeviceID, filename: iso, format: "raw"))
    var moves: [Bool] = []
    while moves != [true, false] {
        guard let event = try await tray.next() else { throw SoakError("the monitor closed during the CD swap") }
        moves.append(try event.decode(DeviceTrayMovedEvent.self).trayOpen)
        if moves.count > 2 { throw SoakError("unexpected tray moves \(moves)") }
    }
    _ = try await poll("mount -t iso9660 /dev/sr0 /mnt 2>&1; cat /mnt/LABEL 2>&1; umount /mnt 2>&1", on: guest) {
        $0.contains(label)
    }
}

/// Best-effort clean-up after a failed disk cycle, so the next cycle starts from a clean slate.
func cleanUpDisk(_ guest: Guest) async {
    _ = try? await guest.client.execute(DeviceDel(id: "vd1"))
    _ = try? await guest.client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(10)) { $0.device == "vd1" }
    _ = try? await guest.client.execute(BlockdevDel(nodeName: "soak0"))
}

func soak(_ options: Options) async throws -> Bool {
    let environment = try readGuestEnvironment(options.guestEnv)
    guard let kernel = environment["KERNEL_PVH"] ?? environment["KERNEL"], let initrd = environment["INITRD"],
        let isoA = environment["ISO_A"], let isoB = environment["ISO_B"]
    else { throw SoakError("\(options.guestEnv) lacks KERNEL_PVH/KERNEL, INITRD, ISO_A or ISO_B") }

    let scratch = try RuntimeDirectory.create(prefix: "qmpkit-soak")
    defer { scratch.remove() }
    let image = scratch.file("disk.qcow2")
    try await DiskImage.create(path: image, format: .qcow2, size: .mebibytes(64))

    var machine = MachineConfiguration()
    machine.accelerator = .tcg
    machine.machine = "pc"
    machine.memory = .init(megabytes: 256)
    machine.kernel = kernel
    machine.initrd = initrd
    machine.append = "console=ttyS0 quiet qmpkit.noecho"
    machine.cdrom = isoA
    var guestOptions = Guest.Options()
    guestOptions.powerdownTimeout = .zero  // busybox init ignores the ACPI power button
    guestOptions.monitor.eventHistorySize = options.eventHistory

    let clock = ContinuousClock()
    let start = clock.now
    var failures: [(Int, String)] = []
    var rss: [Int] = []
    var cycleTimes: [Double] = []
    var runtimeDirectory = ""
    var consoleHeld = 0
    var consoleTotal = 0
    var eventsHeld = 0

    say("qmpkit-soak: \(options.cycles) cycles, event history \(options.eventHistory), console retention \(SerialConsole.retainedBytes) bytes, guest \(kernel), pid \(getpid())")
    try await Guest.withGuest(machine, options: guestOptions) { guest in
        runtimeDirectory = guest.runtimeDirectory.path
        try await guest.console.expect("QMPKIT-GUEST-READY", timeout: .seconds(120))
        try await guest.console.expect("guest# ", timeout: .seconds(30))
        say("booted in \(Int(milliseconds(clock.now - start))) ms; RSS \(residentKiB()) KiB")
        var onB = false
        for cycle in 1...options.cycles {
            let began = clock.now
            do {
                try await diskCycle(guest, image: image)
            } catch {
                failures.append((cycle, "disk: \(error)"))
                await cleanUpDisk(guest)
            }
            do {
                try await cdCycle(guest, iso: onB ? isoA : isoB, label: onB ? "disc-A" : "disc-B")
                onB.toggle()
            } catch {
                failures.append((cycle, "cd: \(error)"))
            }
            cycleTimes.append(milliseconds(clock.now - began))
            rss.append(residentKiB())
            if cycle % options.every == 0 || cycle == 1 {
                say("cycle \(cycle): RSS \(rss.last!) KiB, \(Int(cycleTimes.last!)) ms, failures so far \(failures.count), "
                    + "console \(guest.console.output.utf8.count)/\(guest.console.byteCount) bytes held, "
                    + "\(guest.client.recentEvents().count) events in history")
            }
        }
        consoleHeld = guest.console.output.utf8.count
        consoleTotal = guest.console.byteCount
        eventsHeld = guest.client.recentEvents().count
    }
    // The guest has been shut down: no QEMU may name its runtime directory any more.
    let left = processes(mentioning: runtimeDirectory)
    let sorted = cycleTimes.sorted()
    let first = rss.first ?? -1
    let last = rss.last ?? -1
    let maximum = rss.max() ?? -1
    say("")
    say("cycles: \(options.cycles)")
    say("failures: \(failures.count)")
    for (cycle, message) in failures { say("  cycle \(cycle): \(message)") }
    say("rss_kib: first \(first) last \(last) max \(maximum) (growth \(last - first))")
    say("held: console \(consoleHeld) of \(consoleTotal) bytes, \(eventsHeld) events in the client's history (bound \(options.eventHistory))")
    say("cycle_ms: median \(Int(sorted[sorted.count / 2])) max \(Int(sorted.last!))")
    say("qemu_left: \(left.count)\(left.isEmpty ? "" : " \(left)")")
    say("runtime_dir_left: \(access(runtimeDirectory, F_OK) == 0 ? "yes" : "no")")
    say("elapsed_s: \(Int(milliseconds(clock.now - start) / 1000))")
    // Flat: once the bounded buffers are full (the second half of the run), the RSS stays within 512 KiB.
    let secondHalf = rss[(rss.count / 2)...]
    let spread = (secondHalf.max() ?? 0) - (secondHalf.min() ?? 0)
    say("rss_kib_second_half: min \(secondHalf.min() ?? -1) max \(secondHalf.max() ?? -1) (spread \(spread))")
    return failures.isEmpty && left.isEmpty && spread < 512
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    exit(try await soak(options) ? 0 : 1)
} catch {
    let message = "qmpkit-soak: \(error)\n"
    _ = message.withCString { write(2, $0, strlen($0)) }
    exit(2)
}
