import LineEditing
import QMP
import QMPSchema
import QMPWire

/// qmp-shell's `transaction( ... )` block in the shell: the actions are collected (prompt `TRANS> `) and sent as
/// one QMP `transaction` when `)` arrives. Any line that is not an action drops the whole block: nothing of it
/// is sent.
extension MonitorREPL {
    func startTransaction(_ line: String) async -> Outcome {
        do {
            let block = try TransactionBlock(firstLine: line)
            if block.isClosed { return await sendTransaction(block) }
            state.withLock { $0.transaction = block }
        } catch {
            reportDropped(error, lineNumber: 1, line: line)
        }
        return .proceed
    }

    /// A line of a block that was dropped: skipped, up to the `)` that ends the block.
    func skipDroppedTransaction(_ line: String) -> Outcome {
        if TransactionBlock.closes(line) {
            state.withLock { $0.droppingTransaction = false }
            print("# end of the dropped transaction block", to: .error)
        }
        return .proceed
    }

    func continueTransaction(_ line: String) async -> Outcome {
        guard var block = state.withLock({ $0.transaction }) else { return .proceed }
        let lineNumber = block.lines.count + 1
        if line.trimmingWhitespace.hasPrefix(".") {
            state.withLock {
                $0.transaction = nil
                $0.droppingTransaction = true
            }
            print(
                "SyntaxError: shell commands cannot go inside a transaction block (line \(lineNumber) of the block); "
                    + "the transaction was dropped: nothing of it was sent (lines up to ')' are skipped)", to: .error)
            noteFailure(Self.exitBadInput)
            return .proceed
        }
        do {
            let closed = try block.add(line)
            state.withLock { $0.transaction = closed ? nil : block }
            return closed ? await sendTransaction(block) : .proceed
        } catch {
            state.withLock { $0.transaction = nil }
            reportDropped(error, lineNumber: lineNumber, line: line)
            return .proceed
        }
    }

    /// Drops an unfinished block (Ctrl-C, end of input), saying so.
    func dropTransaction(because reason: String) {
        guard state.withLock({ state -> Bool in
            defer {
                state.transaction = nil
                state.droppingTransaction = false
            }
            return state.transaction != nil
        }) else { return }
        print("SyntaxError: unfinished transaction block (\(reason)); nothing of it was sent", to: .error)
        noteFailure(Self.exitBadInput)
    }

    private func reportDropped(_ error: MonitorSyntaxError, lineNumber: Int, line: String) {
        let skipping = !TransactionBlock.closes(line)
        state.withLock { $0.droppingTransaction = skipping }
        print(
            "SyntaxError: \(error.message) (line \(lineNumber) of the transaction, column \(error.column)); "
                + "the transaction was dropped: nothing of it was sent"
                + (skipping ? " (lines up to ')' are skipped)" : ""), to: .error)
        noteFailure(Self.exitBadInput)
    }

    private func sendTransaction(_ block: TransactionBlock) async -> Outcome {
        let index = state.withLock { $0.current }
        guard case .command(let name, let arguments) = block.input,
            let checked = await validated(name, arguments, on: index, describe: { error in
                guard let (action, path) = block.action(at: error.path) else { return "\(error)" }
                let column = action.argumentColumns[path] ?? action.column
                let text = block.actionMessage("\(error)", path: error.path) ?? "\(error)"
                return "\(text) (line \(action.lineIndex + 1) of the transaction, column \(column))"
            })
        else { return .proceed }
        // Recorded as typed, so a replay sends one transaction too; a refused one as one raw request after
        // `expect-error CLASS`.
        let request = JSON.object(JSONObject([("execute", .string(name)), ("arguments", .object(checked))]))
        return await runQMP(
            name, arguments: .object(checked), on: index, recordAs: block.lines.joined(separator: "\n"),
            recordFailureAs: request.serialized(pretty: false))
    }

    /// `.help transaction`: the actions a transaction takes on this monitor, with their arguments.
    func transactionHelp() async {
        let index = state.withLock { $0.current }
        guard let schema = try? await sessions[index].schema() else {
            print("# the monitor gives no schema to list the transaction's actions", to: .error)
            return
        }
        let actions = Self.transactionActions(in: schema)
        guard !actions.isEmpty else {
            print("# this QEMU has no transaction command", to: .error)
            return
        }
        var text = """
            transaction(
            ACTION key=value ...        one per line, or several separated by ';'
            )                           sends them as one QMP transaction: all of them happen or none
            Actions on this monitor:

            """
        for action in actions { text += "  " + ([action.name] + action.arguments).joined(separator: " ") + "\n" }
        print(text)
    }

    /// Inside a block, the first word of an action completes to the action names (and `)`); `nil` outside one.
    func transactionCompletion(_ line: String) async -> LineCompletion? {
        let index = state.withLock { $0.transaction == nil ? nil : $0.current }
        guard let index else { return nil }
        let word = Self.lastWord(line)
        let action = line.split(separator: ";", omittingEmptySubsequences: false).last ?? ""
        guard action.split(whereSeparator: \.isWhitespace).count <= (word.isEmpty ? 0 : 1) else {
            return LineCompletion(word: word, candidates: [])
        }
        let names = (try? await sessions[index].schema()).map { Self.transactionActions(in: $0).map(\.name) } ?? []
        return LineCompletion(word: word, candidates: (names + [")"]).filter { $0.hasPrefix(word) })
    }

    /// Each action of the `transaction` command's union, with its arguments (`key=…`, optional ones in brackets).
    static func transactionActions(in schema: QAPISchema) -> [(name: String, arguments: [String])] {
        guard let command = schema.command(named: "transaction"), case .object(let arguments) = schema[command.argumentType].kind,
            let actions = arguments.member(named: "actions"), case .array(let element) = schema[actions.type].kind,
            case .object(let union) = schema[element].kind
        else { return [] }
        return union.variants.map { variant in
            guard case .object(let wrapper) = schema[variant.type].kind, let data = wrapper.member(named: "data"),
                case .object(let members) = schema[data.type].kind
            else { return (variant.value, []) }
            return (variant.value, members.members.map { $0.isOptional ? "[\($0.name)=…]" : "\($0.name)=…" })
        }
    }
}
