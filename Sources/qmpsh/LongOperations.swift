import ArgumentParser
import MonitorShell
import QMP
import QMPWire
#if canImport(Glibc)
import Glibc
#endif

// Long-running work (issue 17): migrate, snapshot, backup, jobs. The logic is in MonitorShell; these only parse,
// connect and print.

/// How progress is printed: a bar on a terminal, plain lines in a pipe, JSON objects with --json.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "Print progress as JSON objects, one per line.")
    var json = false

    func renderer() -> ProgressRenderer {
        ProgressRenderer(mode: json ? .json : isatty(1) == 1 ? .terminal : .plain)
    }
}

/// Runs `body` with the CLI's error reporting, adding the job and migration errors (exit 1).
func reportingLongOperationErrors(_ body: () async throws -> Void) async throws {
    try await reportingErrors {
        do {
            try await body()
        } catch let error as JobFailedError {
            Output.err("\(error)\n")
            throw ExitCode(1)
        } catch let error as JobIOError {
            Output.err("\(error)\n")
            throw ExitCode(1)
        } catch let error as JobStateError {
            Output.err("\(error)\n")
            throw ExitCode(1)
        } catch let error as MigrationFailedError {
            Output.err("\(error)\n")
            throw ExitCode(1)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move a running guest to another QEMU on this host (live migration), showing the progress.",
        discussion: """
            DST is the monitor of a QEMU started with `qmpsh boot ... --incoming` (the same machine options as the
            source), or file:PATH to save the guest's state for `qmpsh boot ... --from-snapshot PATH`.
            The source ends `postmigrate` and is shut down unless --keep-source. When the remainder stops
            shrinking, downtime-limit is raised step by step (up to 2 s).
            Example:
              qmpsh boot --kernel vmlinuz --initrd initrd.gz --append console=ttyS0 --incoming --detach
              qmpsh migrate /run/src/qmp.sock /run/dst/qmp.sock
            """
    )

    @Argument(help: "The source guest's monitor.")
    var source: String
    @Argument(help: "The destination's monitor, or file:PATH.")
    var destination: String
    @Flag(help: "Leave the source QEMU running (paused, postmigrate) afterwards.")
    var keepSource = false
    @Option(help: "Seconds to wait for the monitors and each answer.")
    var timeout: Double = 30
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        try checkSeconds(timeout, "--timeout")
        try validateQMPMonitor(source)
        if !destination.hasPrefix("file:") { try validateQMPMonitor(destination) }
    }

    func run() async throws {
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = Seconds.duration(clamping: timeout)
        configuration.busyTimeout = busyMonitorLimit  // issue 15: a held monitor is reported within 2 s
        configuration.defaultTimeout = configuration.greetingTimeout
        var renderer = progress.renderer()
        let operation = MigrationOperation(keepSource: keepSource)
        try await reportingLongOperationErrors {
            try await withQMPClient(source, configuration: configuration) { sourceClient in
                let report: (MigrationProgress) -> Void = { report in
                    if let text = renderer.render(ProgressSample(report)) { Output.out(text) }
                }
                let info: MigrationInfo
                if destination.hasPrefix("file:") {
                    info = try await operation.run(from: sourceClient, to: .file(String(destination.dropFirst(5))), progress: report)
                } else {
                    info = try await withQMPClientResult(destination, configuration: configuration) { target in
                        try await operation.run(from: sourceClient, to: .monitor(target), progress: report)
                    }
                }
                if !progress.json {
                    Output.err("# migrated in \(info.totalTime ?? 0) ms, downtime \(info.downtime ?? 0) ms"
                        + (keepSource ? "; the source is kept (postmigrate)\n" : "; the source was told to quit\n"))
                }
            }
        }
    }
}

/// Like `withQMPClient`, returning the body's result.
func withQMPClientResult<Result: Sendable>(
    _ monitor: String, configuration: QMPClient.Configuration, _ body: (QMPClient) async throws -> Result
) async throws -> Result {
    var result: Result?
    try await withQMPClient(monitor, configuration: configuration) { result = try await body($0) }
    return result!
}

struct Snapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Internal snapshots of a running guest: save, load, list or delete NAME.",
        discussion: """
            Covers every writable qcow2 disk of the guest; the VM state goes into the first. Runs QEMU's
            snapshot-save/-load/-delete jobs (QEMU 6.0 or later) and waits for them.
            Examples:
              qmpsh snapshot save /run/vm/qmp.sock before-upgrade
              qmpsh snapshot list /run/vm/qmp.sock
              qmpsh snapshot load /run/vm/qmp.sock before-upgrade
            """
    )

    @Argument(help: "save, load, list or delete.")
    var action: String
    @OptionGroup var options: MonitorOptions
    @Argument(help: "The snapshot's name (not for list).")
    var name: String?
    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard ["save", "load", "list", "delete"].contains(action) else {
            throw ValidationError("unknown action '\(action)': save, load, list or delete")
        }
        if action != "list", name?.isEmpty != false { throw ValidationError("snapshot \(action) needs a NAME") }
    }

    func run() async throws {
        try await reportingLongOperationErrors {
            try await options.withClient { client in
                if action == "list" {
                    let entries = try await SnapshotOperation.list(on: client)
                    if json {
                        let list = entries.map { JSON.object(["name": .string($0.name), "vm-state-size": .int($0.vmStateSize), "nodes": .array($0.nodes.map(JSON.string))]) }
                        Output.out(JSON.array(list).serialized(pretty: false) + "\n")
                    } else {
                        for entry in entries {
                            Output.out("\(entry.name)  vm-state \(ProgressRenderer.bytes(entry.vmStateSize))  on \(entry.nodes.joined(separator: ", "))\n")
                        }
                    }
                    return
                }
                let nodes = try await SnapshotOperation.run(action, name: name ?? "", on: client, timeout: options.timeoutDuration * 20)
                if json {
                    Output.out(JSON.object(["action": .string(action), "name": .string(name ?? ""), "nodes": .array(nodes.map(JSON.string))]).serialized(pretty: false) + "\n")
                } else {
                    Output.err("# snapshot \(action) '\(name ?? "")' done on \(nodes.joined(separator: ", "))\n")
                }
            }
        }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up one disk of a running guest into a new qcow2 file, showing the progress.",
        discussion: """
            --full (the default) copies the whole disk as it was when the backup started, and starts a dirty
            bitmap; --incremental then copies only what changed since the previous backup (the image holds only
            those clusters: rebase it onto the previous backup to restore). The guest keeps running.
            Example:
              qmpsh backup /run/vm/qmp.sock --disk vd0 --to /backups/vd0-full.qcow2
            """
    )

    @OptionGroup var options: MonitorOptions
    @Option(help: "The disk: device id, drive id or node name.")
    var disk: String
    @Option(help: "The new qcow2 file (must not exist).")
    var to: String
    @Flag(help: "Copy the whole disk (the default).")
    var full = false
    @Flag(help: "Copy only what changed since the previous backup.")
    var incremental = false
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if full && incremental { throw ValidationError("--full and --incremental exclude each other") }
    }

    func run() async throws {
        var renderer = progress.renderer()
        let operation = BackupOperation(disk: disk, target: to, mode: incremental ? .incremental : .full)
        try await reportingLongOperationErrors {
            try await options.withClient { client in
                try await operation.run(on: client) { report in
                    if let text = renderer.render(ProgressSample(report)) { Output.out(text) }
                }
            }
        }
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List a guest's jobs (backups, mirrors, snapshots, ...) with their progress.")

    @OptionGroup var options: MonitorOptions
    @Flag(help: "Print query-jobs as JSON.")
    var json = false

    func run() async throws {
        try await options.withClient { client in
            let list = try await client.execute(QueryJobs())
            if json {
                Output.out(try JSONValueEncoder().encode(list).serialized(pretty: false) + "\n")
            } else {
                Output.out(JobListing.lines(list).joined(separator: "\n") + "\n")
            }
        }
    }
}
