import QMPWire
import HMP
import QEMURunner
import QMP

/// The one place that turns an error into what the user sees: a class, a one-line message, a category and an exit
/// status. `qmpsh exec`, `hmp`, `events`, `run`, the shell and script reports all use it, so the same failure
/// reads and exits the same everywhere.
///
/// Exit statuses: 0 success; 1 a command failed or an expectation did not hold; 2 bad usage or input (nothing was
/// sent); 3 the monitor could not be reached, stopped answering, or went away.
///
/// ```swift
/// let report = ErrorReport(error)
/// printToStandardError(report.line)   // "DeviceNotFound: Device 'x' not found"
/// exit(report.exitStatus)
/// ```
public struct ErrorReport: Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure it is.
    public enum Category: String, Sendable, Equatable {
        /// QEMU (or HMP) answered with an error, or the answer could not be used.
        case commandFailed
        /// An expectation or a wait did not hold (scripts' `expect`, `wait`, console waits).
        case expectationFailed
        /// Bad input: nothing was sent.
        case badInput
        /// The monitor gave no answer in time; it may still be there.
        case noAnswer
        /// The monitor could not be reached or went away.
        case monitorGone
        /// The user stopped it.
        case cancelled
        /// Anything else.
        case other
    }

    /// The class named first on the line, e.g. `DeviceNotFound`, `Timeout`, `ConnectionError`.
    public var errorClass: String
    /// The message after the class (never itself starting with the class).
    public var message: String
    /// What kind of failure; it decides ``exitStatus``.
    public var category: Category

    /// A report with this class, message and category, for failures that are not Swift errors.
    public init(errorClass: String, message: String, category: Category) {
        self.errorClass = errorClass
        self.message = message
        self.category = category
    }

    /// Classifies any error; unknown types become class `Error`.
    public init(_ error: any Error) {
        self = ErrorReport(classifying: error)
            ?? ErrorReport(errorClass: "Error", message: "\(error)", category: .other)
    }

    /// Classifies the error types of the monitor libraries; `nil` for others (e.g. an argument parser's own
    /// errors, which a tool passes on untouched).
    public init?(classifying error: any Error) {
        switch error {
        case let error as QMPError:
            self.init(errorClass: error.errorClass.rawValue, message: error.message, category: .commandFailed)
        case let error as HMPError:
            self.init(errorClass: "HMPError", message: error.message, category: .commandFailed)
        case let error as QMPTimeoutError:
            // A command with no answer means the monitor stopped answering; a wait for an event (or console text)
            // that ran out of time is an expectation that did not hold.
            let isWait = error.operation.hasPrefix("event ") || error.operation == "an event"
            self.init(errorClass: "Timeout", message: error.message, category: isWait ? .expectationFailed : .noAnswer)
        case let error as QMPConnectionError:
            self.init(errorClass: "ConnectionError", message: error.message, category: .monitorGone)
        case let error as QMPProtocolError:
            self.init(errorClass: "ProtocolError", message: error.description, category: .commandFailed)
        case let error as MonitorSyntaxError:
            self.init(errorClass: "SyntaxError", message: "\(error.message) (column \(error.column))", category: .badInput)
        case let error as QMPUsageError:
            self.init(errorClass: "UsageError", message: error.description, category: .badInput)
        case let error as QMPResponseDecodingError:
            self.init(errorClass: "DecodingError", message: error.description, category: .commandFailed)
        case let error as RunnerError:
            // The class is the code, capitalised (`ToolFailed: qemu-img info failed ...`).
            let name = error.code.rawValue.prefix(1).uppercased() + error.code.rawValue.dropFirst()
            let category: Category
            switch error.code {
            case .invalidConfiguration: category = .badInput
            case .notFound, .qemuExited: category = .monitorGone
            case .timedOut, .noProgress: category = .expectationFailed
            default: category = .commandFailed
            }
            self.init(errorClass: name, message: error.message, category: category)
        case let error as ScriptFailure:
            self.init(errorClass: error.errorClass, message: error.message, category: error.category)
        case let error as any ReportableError:
            let category: Category
            switch error.reportExitStatus {
            case 2: category = .badInput
            case 3: category = .monitorGone
            default: category = .commandFailed
            }
            self.init(errorClass: error.reportClass, message: error.reportMessage, category: category)
        case is CancellationError:
            self.init(errorClass: "Cancelled", message: "stopped before it finished", category: .cancelled)
        default:
            return nil
        }
    }

    /// The exit status this failure means (see the type's description).
    public var exitStatus: Int32 {
        switch category {
        case .commandFailed, .expectationFailed, .cancelled, .other: 1
        case .badInput: 2
        case .noAnswer, .monitorGone: 3
        }
    }

    /// True when the connection is over: a script stops, the shell marks the monitor lost.
    public var monitorGone: Bool { category == .monitorGone }

    /// `Class: message`, the one line printed on stderr.
    public var line: String { "\(errorClass): \(message)" }

    public var description: String { line }
}

// MARK: - Hints

extension ErrorReport {
    /// What to do about `error`, in words that fit the kind of `monitor` it came from (`nil`: not known), printed
    /// in parentheses after ``line``; `nil` when the line says enough.
    ///
    /// A monitor that accepts the connection and stays silent is the one case today: QMP serves one client at a
    /// time and a guest agent's socket sends no greeting at all, while a direct human monitor (`hmp:PATH`) is held
    /// by another client or is no HMP socket. A message that already explains it (` is busy: `) gets nothing.
    public static func hint(for error: any Error, monitor: String?) -> String? {
        guard let error = error as? QMPConnectionError, error.code == .noGreeting, !error.message.contains(" is busy: ") else {
            return nil
        }
        if let monitor, monitor.hasPrefix("hmp:") {
            return "the human monitor is busy if another client holds it (it serves one client at a time):"
                + " close that client or give QEMU a second -monitor socket"
        }
        return "the monitor is busy if another client holds it: close that client or use a second monitor;"
            + " if this is a guest agent's socket, write qga:PATH"
    }
}
