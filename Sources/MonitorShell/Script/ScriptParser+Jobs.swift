import QMP

// Statements for long-running work (issue 17): `job-wait` and `migrate-wait`.
extension ScriptParser {
    /// The keywords of long-running work.
    public static let longOperationKeywords: Set<String> = ["job-wait", "migrate-wait"]

    /// Parses `job-wait ID [status=STATUS] [timeout=S]` and `migrate-wait [timeout=S]`; `nil` for other keywords.
    static func longOperationStatement(_ keyword: String, text: String, keywordEnd: Int) throws(MonitorSyntaxError)
        -> ScriptStatement.Kind?
    {
        guard longOperationKeywords.contains(keyword) else { return nil }
        let words = try MonitorWord.split(text, from: keywordEnd)
        var id: String?
        var status = JobStatus.concluded
        var timeout: Duration?
        for word in words {
            switch word.key {
            case nil where keyword == "job-wait" && id == nil:
                id = word.stringValue
            case "timeout"?:
                timeout = try seconds(word)
            case "status"? where keyword == "job-wait":
                status = JobStatus(rawValue: word.stringValue)
                let known: [JobStatus] = [.created, .running, .paused, .ready, .standby, .waiting, .pending, .aborting, .concluded, .null]
                guard known.contains(status) else {
                    throw MonitorSyntaxError(
                        "unknown job status '\(word.stringValue)' (\(known.map(\.rawValue).joined(separator: ", ")))",
                        column: word.valueColumn)
                }
            default:
                let usage = keyword == "job-wait" ? "job-wait ID [status=concluded] [timeout=SECONDS]" : "migrate-wait [timeout=SECONDS]"
                throw MonitorSyntaxError("unexpected '\(word.text)': expected `\(usage)`", column: word.column)
            }
        }
        if keyword == "migrate-wait" { return .migrateWait(timeout: timeout) }
        guard let id, !id.isEmpty else {
            throw MonitorSyntaxError("expected `job-wait ID [status=concluded] [timeout=SECONDS]`", column: keywordEnd + 1)
        }
        return .jobWait(id: id, status: status, timeout: timeout)
    }
}
