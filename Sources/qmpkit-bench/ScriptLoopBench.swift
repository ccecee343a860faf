#if canImport(Glibc)
import Glibc
#endif
import MonitorShell
import QMP
import QMPSchema
import QMPWire

/// `qmpsh run`'s per-line work in a process callgrind can read (issue 14, session 6).
///
/// `qmpkit-bench script-loop SOCKET COUNT [validate] [no-writer] [time]` does what `qmpsh run FILE --monitor SOCKET` does with a script
/// of COUNT `query-status` lines, minus the argument parsing: it parses the lines, connects through
/// ``MonitorConnector/standard``, validates the script against the monitor's schema when `validate` is given (the
/// fake server of `serve-fake` answers `query-qmp-schema` with nothing useful, so the default is `--no-validate`),
/// runs ``ScriptRunner`` with the options `qmpsh run` uses and writes the reports through ``ScriptReportWriter`` to
/// `/dev/null` (`no-writer` drops them instead; `time` prints the run's µs a line). Run twice under callgrind with COUNT and 2×COUNT, the difference divided by COUNT is the runner's
/// cost of a line with start-up taken out; `cpu-loop SOCKET affine COUNT` is the same for the bare affine loop.
enum ScriptLoopBench {
    static func loop(socket: String, count: Int, options flags: [String]) async throws -> Never {
        let validate = flags.contains("validate")
        let text = String(repeating: "query-status\n", count: count)
        let script = try ScriptParser().parse(text, file: "status.qmp")
        var connector = MonitorConnector.standard
        connector.schemaDiskCache = validate ? SchemaDiskCache.standard : nil  // as qmpsh's Connector.monitors
        let session = try await connector.connect(socket)
        if validate {
            let result = try await ScriptValidator(script: script, hasConsole: false, usesSchema: true)
                .validate(on: session, timeout: .seconds(30))
            guard result.errors.isEmpty else { Bench.fail("the script does not validate: \(result.errors)") }
        }
        let formatter = ScriptOutputFormatter(style: .human, monitor: session.label, showsMonitor: false)
        var options = ScriptRunner.Options()
        options.localPaths = LocalPaths.forMonitor(session.label)
        let runner = ScriptRunner(script: script, session: session, options: options)
        let null = open("/dev/null", O_WRONLY)
        let writer = ScriptReportWriter(formatter: formatter, file: script.file) { out, err in
            for text in [out, err] {
                guard var text else { continue }
                text.withUTF8 { _ = write(null, $0.baseAddress, $0.count) }
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        // `no-writer`: reports are dropped, to tell the writer thread's share of the wall time from the runner's.
        let summary = flags.contains("no-writer") ? await runner.run { _ in } : await runner.run { writer.report($0) }
        let ran = clock.now
        writer.finish(summary)
        if flags.contains("time") {
            let perLine = Bench.microseconds(ran - start, per: count)
            print("script-loop: \(Bench.format2(perLine)) µs a line (run), finish \(Bench.microseconds(clock.now - ran, per: 1)) µs")
        }
        guard summary.exitStatus == 0 else { Bench.fail("the script failed: \(summary.failures)") }
        exit(0)
    }
}
