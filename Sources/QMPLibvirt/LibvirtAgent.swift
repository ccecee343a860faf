import CLibvirtLoader
public import GuestAgent
public import QMP
#if canImport(Glibc)
import Glibc
#endif

/// The guest agent of a guest libvirt runs, through `virDomainQemuAgentCommand` (`libvirt+qga:DOMAIN`,
/// `libvirt+qga+URI#DOMAIN`). Libvirt owns the agent's socket and synchronises with the agent itself; each call
/// runs on a thread of its own with libvirt's own time limit, so the cooperative pool never blocks.
public final class LibvirtAgent: GuestAgentConnection {
    private let domain: LibvirtDomainHandle
    private let defaultTimeout: Duration
    /// The address this agent was opened with, as the user writes it (`libvirt+qga:DOMAIN` or
    /// `libvirt+qga+URI#DOMAIN`), for messages and transcripts.
    public let endpoint: String

    private init(domain: LibvirtDomainHandle, endpoint: String, defaultTimeout: Duration) {
        self.domain = domain
        self.endpoint = endpoint
        self.defaultTimeout = defaultTimeout
    }

    /// Opens the domain (the local system URI when `uri` is nil). Matches ``GuestAgentConnector/LibvirtOpener``.
    public static func open(uri: String?, domain: String, timeout: Duration) async throws -> any GuestAgentConnection {
        let address = LibvirtMonitorAddress(uri: uri ?? LibvirtMonitorAddress.defaultURI, domain: domain)
        let handle = try await onOwnThread(
            timeout: timeout,
            timeoutError: {
                LibvirtError(.connectionFailed, "no answer from libvirt at \(address.uri) within \(timeout) (is the host reachable?)")
            }
        ) { () throws in
            let connection = try LibvirtConnection.open(address.uri, isLocal: address.isLocal)
            let handle = try LibvirtDomainHandle.lookUp(address.domain, on: connection, address: address)
            try handle.requireActive(address)
            return handle
        }
        let endpoint = uri.map { "libvirt+qga+\($0)#\(domain)" } ?? "libvirt+qga:\(domain)"
        return LibvirtAgent(domain: handle, endpoint: endpoint, defaultTimeout: timeout)
    }

    /// Runs one agent command through `virDomainQemuAgentCommand`, on a thread of its own, and returns its
    /// `return` value (`{}` for a command that ends the connection, such as `guest-shutdown`).
    ///
    /// libvirt counts its limit in whole seconds, so `timeout` (or the default given at open) is rounded up to the
    /// next second and is at least one.
    /// - Throws: `QMPError` when the agent answers with an error, or libvirt fails the call for another reason
    ///   (its message prefixed `libvirt:`); `QMPTimeoutError` when the agent does not answer in time;
    ///   `QMPConnectionError` when the domain has no agent (`.notFound`) or libvirt's reply is not JSON.
    public func execute(_ command: String, arguments: JSONObject?, timeout: Duration?) async throws -> JSON {
        let endsConnection = GuestAgentCommands.endingConnection.contains(command)
        let limit = timeout ?? defaultTimeout
        // libvirt counts whole seconds; 0 would mean "do not wait", which only commands without a reply use.
        let seconds = endsConnection ? 0 : Int32(max(1, min(Int64(Int32.max), limit.components.seconds + 1)))
        var request: JSONObject = ["execute": .string(command)]
        if let arguments, !arguments.isEmpty { request["arguments"] = .object(arguments) }
        let text = JSON.object(request).serialized()
        let domain = self.domain
        let reply = try await onOwnThread { () throws -> String? in
            guard let result = qk_virDomainQemuAgentCommand(domain.pointer, text, seconds, 0) else {
                if endsConnection { return nil }
                let failure = LibvirtFailure.last()
                throw Self.failure(failure.message, command: command, limit: limit)
            }
            defer { free(result) }
            return String(cString: result)
        }
        guard let reply else { return .object([:]) }
        guard let object = (try? JSON(parsing: reply))?.objectValue else {
            throw QMPConnectionError(.protocolViolation, "libvirt returned an agent reply that is not JSON: \(reply.prefix(200))")
        }
        if let error = object["error"]?.objectValue {
            throw QMPError(
                errorClass: QMPErrorClass(rawValue: error["class"]?.stringValue ?? "GenericError"),
                message: error["desc"]?.stringValue ?? "the guest agent reported an error", command: command)
        }
        return object["return"] ?? .object([:])
    }

    /// Runs a command after which the agent sends no reply (`guest-shutdown`, `guest-suspend-*`): libvirt is told
    /// not to wait for one, so the call returns once the command is written.
    public func executeEndingConnection(_ command: String, arguments: JSONObject?, timeout: Duration?) async throws {
        _ = try await execute(command, arguments: arguments, timeout: timeout)
    }

    /// Nothing to close: the domain handle (and its libvirt connection) is released with this object.
    public func close() async {}

    /// Libvirt reports agent failures as one message: an agent that is not there is a connection problem, a
    /// time-out is a time-out, the rest is the agent's own error.
    private static func failure(_ message: String, command: String, limit: Duration) -> any Error {
        let lower = message.lowercased()
        if lower.contains("not connected") || lower.contains("not configured") || lower.contains("not available") {
            return QMPConnectionError(.notFound, "libvirt: the guest agent is not available: \(oneLine(message))")
        }
        if lower.contains("not responding") || lower.contains("timed out") || lower.contains("timeout") {
            return QMPTimeoutError(operation: "\(command) (guest agent through libvirt: \(oneLine(message)))", timeout: limit)
        }
        return QMPError(errorClass: .genericError, message: "libvirt: \(oneLine(message))", command: command)
    }
}
