public import QMP
public import QMPWire
public import GuestAgent

/// A parsed `.qmp` script: every statement checked for syntax and every `${variable}` expanded, before anything is
/// sent. The language is in DESIGN.md:
///
/// ```
/// # comment
/// blockdev-add driver=qcow2 node-name=d1 file.driver=file file.filename=${disk}
/// device_add driver=virtio-blk-pci drive=d1 id=vd1
/// console-send "ls /sys/block\n"
/// console-expect "vda" timeout=30
/// device_del id=vd1
/// wait DEVICE_DELETED device=vd1 timeout=30
/// query-status
/// expect .status == "running"
/// expect-error DeviceNotFound device_del id=nosuch
/// ```
public struct Script: Sendable {
    /// The file name used in messages (`FILE:LINE:COL`).
    public var file: String
    /// The statements in order; blank lines and comments are not statements.
    public var statements: [ScriptStatement]
    /// Every variable and its final value (after `--var` and environment overrides).
    public var variables: [String: String]

    /// A script of already parsed statements; ``ScriptParser`` builds one from text.
    public init(file: String, statements: [ScriptStatement], variables: [String: String] = [:]) {
        self.file = file
        self.statements = statements
        self.variables = variables
    }

    /// Whether a statement needs a serial console (`console-expect`, `console-send`).
    public var usesConsole: Bool {
        statements.contains { statement in
            switch statement.kind {
            case .consoleExpect, .consoleSend: return true
            default: return false
            }
        }
    }
}

extension Script {
    /// Whether a statement needs a guest agent (`guest-exec`, `guest-wait-device`).
    public var usesAgent: Bool {
        statements.contains { statement in
            switch statement.kind {
            case .guestExec, .guestWaitDevice: return true
            default: return false
            }
        }
    }
}

/// One statement of a script, with where it came from.
public struct ScriptStatement: Sendable {
    /// 1-based line number.
    public var line: Int
    /// The line after variable expansion, without surrounding white space.
    public var text: String
    /// The line as written.
    public var source: String
    /// What the statement does, with its parsed arguments.
    public var kind: Kind
    /// Maps a 1-based column of the expanded line to the 1-based column of ``source`` (they differ after `${...}`);
    /// empty when the line had no variables.
    var columnMap: [Int]
    /// For a `transaction( ... )` block (a `transaction` command): where each of its lines came from.
    public var transaction: TransactionSource?

    /// A statement at 1-based `line`; `columnMap` maps columns of `text` to columns of `source` (empty when equal).
    public init(line: Int, text: String, source: String, kind: Kind, columnMap: [Int] = []) {
        self.line = line
        self.text = text
        self.source = source
        self.kind = kind
        self.columnMap = columnMap
    }

    /// The column in the source line for a column of the expanded text.
    public func sourceColumn(_ column: Int) -> Int {
        if columnMap.isEmpty { return column }
        guard column >= 1, column <= columnMap.count else { return column > columnMap.count ? (columnMap.last ?? 0) + 1 : 1 }
        return columnMap[column - 1]
    }

    /// The statements of the script language, each with what the parser read from its line.
    public enum Kind: Sendable {
        /// A QMP command, a raw JSON request or an HMP command (`MonitorInput`); `columns` gives the column of each
        /// argument's first key segment, for messages that point at an argument.
        case command(MonitorInput, argumentColumns: [String: Int])
        /// `expect PATH OP VALUE`: an assertion on the last return.
        case expect(ScriptExpectation)
        /// `expect-error CLASS command`: the command must fail with that error class.
        case expectError(errorClass: String, command: MonitorInput, argumentColumns: [String: Int])
        /// `wait EVENT key=value... timeout=S`.
        case wait(event: String, matching: [(path: String, value: JSON)], timeout: Duration?)
        /// `console-expect "text" [regex=true] timeout=S`.
        case consoleExpect(text: String, isRegex: Bool, timeout: Duration?)
        /// `console-send "text"`.
        case consoleSend(String)
        /// `set NAME=VALUE`: already applied to later lines while parsing; kept for the report.
        case set(name: String, value: String)
        /// `sleep SECONDS`.
        case sleep(Duration)
        // ---- guest agent statements (issue 16; parsed in ScriptParser+Agent.swift, run in ScriptRunner+Agent.swift)
        /// `guest-exec "CMD" [expect-exit=N] [expect-stdout=TEXT] [timeout=S]`: `/bin/sh -c CMD` in the guest
        /// through its agent; the exit status must be N (default 0) and standard output must contain TEXT.
        case guestExec(command: String, expectExit: Int, expectStdout: String?, timeout: Duration?)
        /// `guest-wait-device disk|nic ID timeout=S`: the guest agent shows the device.
        case guestWaitDevice(kind: GuestDeviceKind, id: String, timeout: Duration?)
        // ----
        // Long-running work (issue 17): see ScriptParser+Jobs.swift and ScriptRunner+Jobs.swift.
        /// `job-wait ID [status=concluded] timeout=S`: wait for a job's status; fails with the job's error.
        case jobWait(id: String, status: JobStatus, timeout: Duration?)
        /// `migrate-wait timeout=S`: wait for the migration to end; fails with QEMU's error-desc.
        case migrateWait(timeout: Duration?)
    }
}

/// `expect PATH OP VALUE` (or `expect PATH`: the value is there and neither `false` nor `null`).
public struct ScriptExpectation: Sendable, Equatable {
    /// How ``ScriptExpectation/value`` is compared with the value at the path; the raw value is the operator as
    /// written.
    public enum Operator: String, Sendable, CaseIterable {
        /// Equal, numbers by value and `"1"` equal to `1` (`JSON.looselyEquals(_:)`).
        case equal = "=="
        /// Not equal, in the same loose sense as ``equal``.
        case notEqual = "!="
        /// Contains, as jq's `contains`: a substring, array elements, or object members.
        case contains
        /// Does not contain, in the same sense as ``contains``.
        case notContains = "!contains"
        /// Less than; both sides must be numbers.
        case less = "<"
        /// Less than or equal; both sides must be numbers.
        case lessOrEqual = "<="
        /// Greater than; both sides must be numbers.
        case greater = ">"
        /// Greater than or equal; both sides must be numbers.
        case greaterOrEqual = ">="
        /// The string matches the regular expression on the right (`LinearRegex`: linear time, no back-references).
        case matches
        /// `expect PATH`: present, not `null`, not `false`.
        case truthy = ""
    }

    /// Where in the last command's return value to look, e.g. `.status` or `.devices[0].id`.
    public var path: JSONPath
    /// How to compare.
    public var op: Operator
    /// The value to compare with (ignored by ``Operator/truthy``).
    public var value: JSON

    /// The expectation `path op value`.
    public init(path: JSONPath, op: Operator, value: JSON) {
        self.path = path
        self.op = op
        self.value = value
    }
}
