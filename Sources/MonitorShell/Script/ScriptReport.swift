public import QMP
public import QMPWire
import HMP
import QEMURunner

/// What a running script reports: a finished statement, or an event the monitor sent.
public enum ScriptReport: Sendable {
    /// A statement finished, passed or failed.
    case statement(StatementResult)
    /// The monitor sent an event while the script ran.
    case event(QMPEvent)
}

/// A statement and how it went.
public struct StatementResult: Sendable {
    /// The statement as parsed.
    public var statement: ScriptStatement
    /// What it returned, or why it failed.
    public var outcome: StatementOutcome
    /// Wall-clock time the statement took, waits included.
    public var elapsed: Duration

    /// The result of running `statement`.
    public init(statement: ScriptStatement, outcome: StatementOutcome, elapsed: Duration) {
        self.statement = statement
        self.outcome = outcome
        self.elapsed = elapsed
    }

    /// True when ``outcome`` is ``StatementOutcome/failed(_:)``.
    public var failed: Bool {
        if case .failed = outcome { return true }
        return false
    }
}

/// How one statement ended.
public enum StatementOutcome: Sendable {
    /// A command returned this (HMP text is a string).
    case returned(JSON)
    /// A check or wait held; the value is what it matched, if anything (an event, console text, an error).
    case passed(JSON?)
    /// The command failed, or the check or wait did not hold.
    case failed(ScriptFailure)
}

/// Why a statement failed, as one line that names the class (`DeviceNotFound: Device 'x' not found`).
public struct ScriptFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// QEMU's error class for a failed command; otherwise `ExpectationFailed`, `Timeout`, `HMPError`,
    /// `ConnectionError`, `ConsoleError` or `UsageError` (see ``ErrorReport``).
    public var errorClass: String
    /// The message after the class (QEMU's `desc` for a failed command).
    public var message: String
    /// What kind of failure it is; decides the run's exit status.
    public var category: ErrorReport.Category

    /// The monitor (or the guest) went away: the run stops and exits 3.
    public var monitorGone: Bool { category == .monitorGone }

    /// A failure with this class and message; an expectation failure unless `monitorGone`.
    public init(errorClass: String, message: String, monitorGone: Bool = false) {
        self.errorClass = errorClass
        self.message = message
        self.category = monitorGone ? .monitorGone : .expectationFailed
    }

    /// Classifies an error thrown while running a statement, with ``ErrorReport``.
    public init(_ error: any Error) {
        var report = ErrorReport(error)
        // On a guest's console, the runner's errors read as console errors.
        if error is RunnerError {
            report.errorClass = "ConsoleError"
        }
        self.errorClass = report.errorClass
        self.message = report.message
        self.category = report.category
    }

    public var description: String { "\(errorClass): \(message)" }
}

/// How a run on one monitor ended.
public struct ScriptSummary: Sendable {
    /// Why the run ended.
    public enum Stop: String, Sendable {
        /// Every statement ran (some may have failed with `keepGoing`).
        case completed
        /// A statement failed and the run stopped there.
        case failed
        /// The monitor went away.
        case monitorGone
        /// The run was cancelled (Ctrl-C, or its task was cancelled).
        case cancelled
    }

    /// The monitor the script ran on, as named on the command line.
    public var monitor: String
    /// The script's file name.
    public var file: String
    /// How many statements ran (passed or failed).
    public var executed = 0
    /// The statements that failed, in order.
    public var failures: [StatementResult] = []
    /// Why the run ended.
    public var stop = Stop.completed
    /// Wall-clock time of the whole run.
    public var elapsed: Duration = .zero

    /// An empty summary for a run of `file` on `monitor`; the runner fills it in.
    public init(monitor: String, file: String) {
        self.monitor = monitor
        self.file = file
    }

    /// How many statements ran without failing.
    public var passed: Int { executed - failures.count }

    /// 0 all held; 1 a command or expectation failed; 3 the monitor went away or stopped answering (as
    /// ``ErrorReport`` decides for each failure).
    public var exitStatus: Int32 {
        if stop == .monitorGone { return 3 }
        var status: Int32 = stop == .cancelled ? 1 : 0
        for result in failures {
            if case .failed(let failure) = result.outcome {
                status = max(status, ErrorReport(errorClass: failure.errorClass, message: failure.message, category: failure.category).exitStatus)
            } else {
                status = max(status, 1)
            }
        }
        return status
    }

    mutating func record(_ result: StatementResult) {
        executed += 1
        if result.failed { failures.append(result) }
    }
}
