import HMP
import MonitorShell
import QEMURunner
import QMP
import QMPWire
import Testing

/// The one error classifier (issue 14): every error type the tools meet maps to one class, one line and one exit
/// status, the same in `exec`, `hmp`, `events`, `run` and the shell. Before, a monitor that never answers made
/// `exec` exit 3 and `run` exit 1 with `Timeout: Timeout: no answer…`.
@Suite struct ErrorReportTests {
    struct Case: Sendable, CustomStringConvertible {
        var error: any Error & Sendable
        var line: String
        var status: Int32
        var description: String { line }
    }

    struct Reportable: ReportableError {
        var reportClass: String { "LibvirtError" }
        var reportMessage: String { "domain 'x' not found" }
        var reportExitStatus: Int32 { 3 }
    }

    static let cases: [Case] = [
        Case(error: QMPError(errorClass: .deviceNotFound, message: "Device 'x' not found"),
             line: "DeviceNotFound: Device 'x' not found", status: 1),
        Case(error: HMPError(command: "info nothing", message: "unknown command", output: "unknown command\r\n"),
             line: "HMPError: unknown command", status: 1),
        Case(error: QMPTimeoutError(operation: "query-status", timeout: .seconds(1)),
             line: "Timeout: no answer to query-status within 1s", status: 3),
        Case(error: QMPTimeoutError(operation: "event DEVICE_DELETED", timeout: .seconds(2)),
             line: "Timeout: no answer to event DEVICE_DELETED within 2s", status: 1),
        Case(error: QMPConnectionError(.closedByPeer, "the monitor closed the connection"),
             line: "ConnectionError: the monitor closed the connection", status: 3),
        Case(error: QMPConnectionError(.timedOut, "cannot connect"), line: "ConnectionError: cannot connect", status: 3),
        Case(error: QMPProtocolError("the reply to 'query-block' could not be used: invalid JSON"),
             line: "ProtocolError: the reply to 'query-block' could not be used: invalid JSON", status: 1),
        Case(error: MonitorSyntaxError("unterminated quote", column: 7),
             line: "SyntaxError: unterminated quote (column 7)", status: 2),
        Case(error: QMPUsageError("id 1 is already in use"), line: "UsageError: id 1 is already in use", status: 2),
        Case(error: QMPResponseDecodingError(command: "query-status", reason: "missing key", value: .null),
             line: "DecodingError: cannot decode the reply to query-status: missing key", status: 1),
        Case(error: RunnerError(.invalidConfiguration, "--smp 0"), line: "InvalidConfiguration: --smp 0", status: 2),
        Case(error: RunnerError(.qemuExited, "QEMU exited"), line: "QemuExited: QEMU exited", status: 3),
        Case(error: RunnerError(.notFound, "no qemu-img"), line: "NotFound: no qemu-img", status: 3),
        Case(error: RunnerError(.timedOut, "no 'login:'"), line: "TimedOut: no 'login:'", status: 1),
        Case(error: RunnerError(.toolFailed, "qemu-img failed"), line: "ToolFailed: qemu-img failed", status: 1),
        Case(error: ScriptFailure(errorClass: "ExpectationFailed", message: ".status is \"paused\""),
             line: "ExpectationFailed: .status is \"paused\"", status: 1),
        Case(error: Reportable(), line: "LibvirtError: domain 'x' not found", status: 3),
        Case(error: CancellationError(), line: "Cancelled: stopped before it finished", status: 1),
    ]

    @Test(arguments: cases)
    func classifies(_ example: Case) {
        let report = ErrorReport(example.error)
        #expect(report.line == example.line)
        #expect(report.exitStatus == example.status)
        // No doubled class ("Timeout: Timeout: ...").
        #expect(!report.message.hasPrefix(report.errorClass + ":"), "\(report.line)")
        // A script's failure line says the same.
        let failure = ScriptFailure(example.error)
        if !(example.error is RunnerError) { #expect(failure.description == example.line) }
    }

    struct HintCase: Sendable, CustomStringConvertible {
        var error: any Error & Sendable
        var monitor: String?
        /// Words the hint must hold; `nil`: no hint.
        var says: [String]?
        /// Words it must not hold.
        var never: [String] = []
        var description: String { "\(error) on \(monitor ?? "-")" }
    }

    static let silent = QMPConnectionError(.noGreeting, "no greeting within 2 seconds")

    /// Session 6: a held `hmp:` monitor (`qmpsh hmp hmp:PATH ...`) got the QMP hint ("... if this is a guest
    /// agent's socket, write qga:PATH"), which does not fit a human monitor.
    static let hintCases: [HintCase] = [
        HintCase(error: silent, monitor: "/run/qmp.sock", says: ["busy", "another client", "qga:PATH"]),
        HintCase(error: silent, monitor: nil, says: ["busy", "qga:PATH"]),
        HintCase(
            error: QMPConnectionError(.noGreeting, "no HMP banner within 2 seconds: another client may hold the monitor"),
            monitor: "hmp:/run/hmp.sock", says: ["busy", "human monitor", "one client at a time", "-monitor"],
            never: ["qga:", "QMP"]),
        // Already explained (the shell's own words): nothing added.
        HintCase(error: QMPConnectionError(.noGreeting, "/run/qmp.sock is busy: another client holds the monitor"),
                 monitor: "/run/qmp.sock", says: nil),
        HintCase(error: QMPConnectionError(.refused, "connection refused"), monitor: "hmp:/run/hmp.sock", says: nil),
        HintCase(error: QMPTimeoutError(operation: "query-status", timeout: .seconds(1)), monitor: "/run/qmp.sock", says: nil),
        HintCase(error: QMPError(errorClass: .genericError, message: "x"), monitor: "hmp:/run/hmp.sock", says: nil),
    ]

    @Test(arguments: hintCases)
    func hintsFitTheMonitor(_ example: HintCase) {
        let hint = ErrorReport.hint(for: example.error, monitor: example.monitor)
        guard let words = example.says else {
            #expect(hint == nil)
            return
        }
        for word in words { #expect(hint?.contains(word) == true, "\(word) missing from \(hint ?? "no hint")") }
        for word in example.never { #expect(hint?.contains(word) != true, "\(word) in \(hint ?? "")") }
    }

    @Test func unknownErrorsAreLeftToTheirTool() {
        struct Other: Error {}
        #expect(ErrorReport(classifying: Other()) == nil)
        #expect(ErrorReport(Other()).exitStatus == 1)
        #expect(ErrorReport(Other()).errorClass == "Error")
    }

    /// A script whose command got no answer exits like `exec` (3); one whose wait ran out exits 1.
    @Test func scriptSummariesExitLikeTheOtherCommands() {
        var summary = ScriptSummary(monitor: "m", file: "f.qmp")
        let statement = ScriptStatement(
            line: 1, text: "query-status", source: "query-status",
            kind: .command(.command(name: "query-status", arguments: [:]), argumentColumns: [:]))
        summary.failures.append(StatementResult(
            statement: statement, outcome: .failed(ScriptFailure(QMPTimeoutError(operation: "event X", timeout: .seconds(1)))),
            elapsed: .zero))
        #expect(summary.exitStatus == 1)
        summary.failures.append(StatementResult(
            statement: statement, outcome: .failed(ScriptFailure(QMPTimeoutError(operation: "query-status", timeout: .seconds(1)))),
            elapsed: .zero))
        #expect(summary.exitStatus == 3)
    }
}
