import GuestAgent
import QMP
import QMPWire

extension ScriptRunner {
    /// Runs `guest-exec` and `guest-wait-device` through ``agent``. `guest-exec` makes
    /// `{"exitcode", "stdout", "stderr"}` the last result, so `expect` can look at it.
    func executeAgentStatement(_ kind: ScriptStatement.Kind, state: inout RunState) async throws -> StatementOutcome {
        guard let agent else {
            return .failed(ScriptFailure(
                errorClass: "UsageError", message: "no guest agent: give --agent qga:PATH (or boot with --agent on)"))
        }
        switch kind {
        case .guestExec(let command, let expectExit, let expectStdout, let timeout):
            let result = try await agent.run("/bin/sh", arguments: ["-c", command], timeout: timeout ?? options.timeout)
            let value: JSON = .object(JSONObject([
                ("exitcode", .int(Int64(result.status.shellStatus))), ("stdout", .string(result.stdoutText)),
                ("stderr", .string(result.stderrText)),
            ]))
            state.last = value
            if result.status.shellStatus != expectExit {
                return .failed(ScriptFailure(
                    errorClass: "ExpectationFailed",
                    message: "expected exit status \(expectExit), got \(result.status.shellStatus)"
                        + (result.stderrText.isEmpty ? "" : ": \(result.stderrText.prefix(200))")))
            }
            if let expectStdout, !result.stdoutText.contains(expectStdout) {
                return .failed(ScriptFailure(
                    errorClass: "ExpectationFailed",
                    message: "expected standard output to contain \"\(expectStdout)\", got \"\(result.stdoutText.prefix(200))\""))
            }
            return .returned(value)
        case .guestWaitDevice(let device, let id, let timeout):
            let took = try await agent.waitForDevice(device, id, timeout: timeout ?? options.timeout)
            let value: JSON = .object(JSONObject([
                ("device", .string(id)), ("kind", .string(device.rawValue)),
                ("elapsed_ms", .int(Int64(took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000))),
            ]))
            state.last = value
            return .passed(value)
        default:
            return .failed(ScriptFailure(errorClass: "UsageError", message: "not a guest agent statement"))
        }
    }
}
