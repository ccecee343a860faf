import QMP
public import QMPSchema
import QMPWire

/// Checks a parsed script against the monitor it will run on, before the first command is sent: each command and
/// its arguments against the live schema (with "did you mean"), event names of `wait`, and that the statements
/// the monitor cannot do are not there (QMP commands on a direct HMP monitor, console statements without a
/// guest that qmpkit booted).
public struct ScriptValidator: Sendable {
    /// The script to check.
    public var script: Script
    /// A serial console is there for `console-expect` and `console-send` (a guest qmpkit booted); without
    /// one, those statements are errors.
    public var hasConsole: Bool
    /// Check commands, arguments and event names against the monitor's schema (`--no-validate` turns it off; the
    /// checks that do not need the schema still run).
    public var usesSchema: Bool
    /// A guest agent is there for `guest-exec` and `guest-wait-device` (issue 16).
    public var hasAgent = false
    /// A schema from the disk cache to check against instead of asking the session for one (for `qmpsh run`, a
    /// slice with only what the script needs: `SchemaDiskCache.loadSlice`). Like any schema from the disk cache it
    /// is a fast path: a mistake it finds is confirmed against the session's live schema.
    public var cachedSchema: QAPISchema?

    /// The commands and events the schema checks of `script` look up (``cachedSchema`` needs only these).
    public static func schemaNeeds(of script: Script) -> SchemaNeeds {
        var needs = SchemaNeeds()
        for statement in script.statements {
            switch statement.kind {
            case .command(.command(let name, _), _): needs.commands.insert(name)
            case .command(.raw(let object), _):
                if let name = object["execute"]?.stringValue ?? object["exec-oob"]?.stringValue { needs.commands.insert(name) }
            case .wait(let event, _, _): needs.events.insert(event)
            default: break
            }
        }
        return needs
    }

    /// A validator for `script`; a guest agent is assumed absent until ``hasAgent`` is set.
    public init(script: Script, hasConsole: Bool, usesSchema: Bool = true) {
        self.script = script
        self.hasConsole = hasConsole
        self.usesSchema = usesSchema
    }

    /// Errors (the script must not run) and warnings (deprecated or unstable use), in line order. `timeout` bounds
    /// the whole validation (see ``validate(on:until:)``).
    public func validate(on session: MonitorSession, timeout: Duration? = nil) async throws -> (errors: [ScriptError], warnings: [ScriptError]) {
        try await validate(on: session, until: timeout.map { ContinuousClock.now + $0 })
    }

    /// Errors and warnings as ``validate(on:timeout:)``, with every request to the monitor ending by `deadline`:
    /// the schema, and the live schema that confirms a mistake a schema from the disk cache found, share one limit
    /// (`nil`: the client's default limit for each). Once the deadline has passed nothing more is asked: the
    /// schema the session already holds is used, or none (then commands are not checked against a schema).
    public func validate(
        on session: MonitorSession, until deadline: ContinuousClock.Instant?
    ) async throws -> (errors: [ScriptError], warnings: [ScriptError]) {
        func remaining() -> Duration? { deadline.map { $0 - ContinuousClock.now } }
        func expired() -> Bool { remaining().map { $0 <= .zero } ?? false }
        var schema: QAPISchema?
        if usesSchema {
            if let cachedSchema {
                schema = cachedSchema
            } else {
                schema = expired() ? session.cachedSchema : try? await session.schema(timeout: remaining())
            }
        }
        let result = try await check(on: session, schema: schema)
        // A schema from the disk cache is a fast path only: confirm any mistake against QEMU's live schema.
        if !result.errors.isEmpty, usesSchema, cachedSchema != nil || session.schemaIsFromDisk, !expired(),
           let live = try? await session.liveSchema(timeout: remaining()) {
            return try await check(on: session, schema: live)
        }
        return result
    }

    private func check(on session: MonitorSession, schema: QAPISchema?) async throws -> (errors: [ScriptError], warnings: [ScriptError]) {
        var errors: [ScriptError] = []
        var warnings: [ScriptError] = []
        // Identical commands validate identically: check each distinct text once (long generated scripts repeat).
        var reports: [String: SchemaValidationReport] = [:]
        for statement in script.statements {
            func problem(_ message: String, column: Int) -> ScriptError {
                ScriptError(
                    file: script.file, line: statement.line, column: statement.sourceColumn(column), message: message,
                    sourceLine: statement.source)
            }
            let firstColumn = leadingColumn(statement)
            switch statement.kind {
            case .command(let input, let columns):
                switch input {
                case .command(let name, let arguments):
                    guard session.speaksQMP else {
                        errors.append(problem(
                            "\(session.label) is a human monitor: write HMP commands as `hmp \(name) ...`", column: firstColumn))
                        continue
                    }
                    guard let schema, let live = session.live else { continue }
                    let report: SchemaValidationReport
                    if let known = reports[statement.text] {
                        report = known
                    } else {
                        report = await live.validate(
                            command: name, arguments: schema.coercingBooleans(command: name, arguments: arguments),
                            schema: schema)
                        reports[statement.text] = report
                    }
                    for error in report.errors {
                        // An action of a `transaction( ... )` block: at its own line.
                        if let at = statement.transaction?.location(of: error.path) {
                            errors.append(ScriptError(
                                file: script.file, line: at.line, column: at.column,
                                message: "ValidationError: "
                                    + (statement.transaction?.block.actionMessage("\(error)", path: error.path) ?? "\(error)"),
                                sourceLine: at.source))
                            continue
                        }
                        errors.append(problem("ValidationError: \(error)", column: column(of: error.path, in: columns, default: firstColumn)))
                    }
                    for warning in report.warnings {
                        warnings.append(problem("warning: \(warning)", column: column(of: warning.path, in: columns, default: firstColumn)))
                    }
                case .raw(let object):
                    guard session.speaksQMP else {
                        errors.append(problem("\(session.label) is a human monitor: it takes no QMP requests", column: firstColumn))
                        continue
                    }
                    guard let schema, let live = session.live,
                          let name = object["execute"]?.stringValue ?? object["exec-oob"]?.stringValue else { continue }
                    let arguments = object["arguments"]?.objectValue ?? [:]
                    let report = await live.validate(command: name, arguments: arguments, schema: schema)
                    for error in report.errors { errors.append(problem("ValidationError: \(error)", column: firstColumn)) }
                case .hmp, .empty:
                    break
                }
            case .expectError(_, let input, _):
                if !session.speaksQMP, input != .empty, !input.isHMP {
                    errors.append(problem("\(session.label) is a human monitor: write `expect-error HMPError hmp ...`", column: firstColumn))
                }
            case .wait(let event, _, _):
                guard session.speaksQMP else {
                    errors.append(problem("\(session.label) is a human monitor: it sends no events to wait for", column: firstColumn))
                    continue
                }
                if let schema, !schema.eventNames.isEmpty, !schema.eventNames.contains(event) {
                    var message = "unknown event '\(event)'"
                    if let close = ScriptParser.closest(to: event, in: schema.eventNames) { message += " (did you mean '\(close)'?)" }
                    errors.append(problem(message, column: eventColumn(statement)))
                }
            case .consoleExpect, .consoleSend:
                if !hasConsole {
                    errors.append(problem(
                        "console statements need a guest that qmpkit booted: run with boot options "
                            + "(qmpsh run SCRIPT --kernel ...) or qmpsh boot ... --script FILE",
                        column: firstColumn))
                }
            case .expect, .set, .sleep:
                break
            case .guestExec, .guestWaitDevice:
                if !hasAgent {
                    errors.append(problem(
                        "guest agent statements need an agent: qmpsh run SCRIPT --monitor M --agent qga:PATH, "
                            + "or boot options with --agent on", column: firstColumn))
                }
            case .jobWait, .migrateWait:  // issue 17
                if !session.speaksQMP {
                    errors.append(problem("\(session.label) is a human monitor: job-wait and migrate-wait need QMP", column: firstColumn))
                }
            }
        }
        return (errors, warnings)
    }

    private func leadingColumn(_ statement: ScriptStatement) -> Int {
        // The statement text is trimmed; find where it starts in the expanded line.
        let expanded = statement.source.prefix { $0.isSpace }.count
        return expanded + 1
    }

    private func eventColumn(_ statement: ScriptStatement) -> Int {
        leadingColumn(statement) + "wait ".count
    }

    private func column(of path: String, in columns: [String: Int], default fallback: Int) -> Int {
        guard !path.isEmpty else { return fallback }
        if let exact = columns[path] { return exact }
        // The closest key typed: the longest typed key that the path starts with, or a key under the path.
        let candidates = columns.filter { path.hasPrefix($0.key + ".") || $0.key.hasPrefix(path + ".") }
        if let nearest = candidates.min(by: { $0.value < $1.value }) { return nearest.value }
        // A missing member of a nested object: point at the first key typed under the same top-level argument.
        let top = path.prefix { $0 != "." }
        let siblings = columns.filter { $0.key.prefix { $0 != "." } == top }
        return siblings.min { $0.value < $1.value }?.value ?? fallback
    }
}

extension MonitorInput {
    var isHMP: Bool {
        if case .hmp = self { return true }
        return false
    }
}
