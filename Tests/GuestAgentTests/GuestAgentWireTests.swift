#if canImport(Glibc)
import Glibc
#endif
import GuestAgent
import Logging
import QMP
import QMPTestSupport
import QMPWire
import Synchronization
import Testing

/// What an agent client's message observer and trace logger were given.
final class AgentWireCollector: Sendable {
    let messages = Mutex<[(QMPClient.MessageDirection, JSON)]>([])
    let log = LogCollector()

    var observer: @Sendable (QMPClient.MessageDirection, JSON) -> Void {
        { [self] direction, message in messages.withLock { $0.append((direction, message)) } }
    }

    var logger: Logger { log.logger(label: "qga.test") }

    /// The sent commands' names, in order.
    var sentCommands: [String] {
        messages.withLock { $0.filter { $0.0 == .sent }.compactMap { $0.1["execute"]?.stringValue } }
    }

    /// After `GuestAgentGuestTests.basics`: the synchronisation, the commands it ran and their replies were seen,
    /// the observer got them as they are and the logger redacted the file's contents.
    func expectTheBasics() {
        let sent = sentCommands
        #expect(sent.first == "guest-sync-delimited", "\(sent)")
        for name in ["guest-ping", "guest-info", "guest-exec", "guest-file-write", "guest-file-read"] {
            #expect(sent.contains(name), "\(name) not observed: \(sent)")
        }
        let all = messages.withLock { $0 }
        // Every command with an id had its reply observed, after it.
        for (index, (direction, message)) in all.enumerated() where direction == .sent {
            guard let id = message["id"] else { continue }
            #expect(all[(index + 1)...].contains { $0.0 == .received && $0.1["id"] == id }, "no reply observed to \(message)")
        }
        let logged = log.entries.withLock { $0 }
        #expect(logged.count == all.count, "logged \(logged.count), observed \(all.count)")
        #expect(logged.allSatisfy { $0.message == "qga sent" || $0.message == "qga received" })
        let write = logged.first { $0.metadata["qga.message"]?.contains("\"execute\":\"guest-file-write\"") == true }
        #expect(write?.metadata["qga.message"]?.contains("\"buf-b64\":\"<redacted>\"") == true, "\(String(describing: write))")
        #expect(all.contains { $0.1["execute"]?.stringValue == "guest-file-write" && $0.1["arguments"]?["buf-b64"]?.stringValue?.isEmpty == false })
    }
}

/// The agent's wire against a scripted peer (protocol cases): a stale reply and the synchronisation are observed
/// too, in the order they crossed the wire; secrets never reach the logger.
@Suite(.timeLimit(.minutes(1))) struct GuestAgentWireTests {
    @Test func observerAndLoggerSeeEveryMessageInWireOrder() async throws {
        let (ours, theirs) = try SocketConnection.pair()
        let wire = AgentWireCollector()
        var configuration = GuestAgentClient.Configuration()
        configuration.defaultTimeout = .seconds(10)
        configuration.messageObserver = wire.observer
        configuration.logger = wire.logger
        let client = try await GuestAgentClient.connect(
            to: .fileDescriptor(dup(ours.fileDescriptor)), configuration: configuration, synchronizes: false)
        async let peer: String? = withCheckedContinuation { continuation in
            startDetachedThread {
                do {
                    // Once the synchronisation has been asked for (so the observer saw it sent first): a stale
                    // reply (an earlier client's), then the synchronisation's answer.
                    let sync = try GuestAgentBlockedSendTests.readRequest(theirs)
                    var answer = Array("{\"return\": {}, \"id\": 1}\n".utf8)
                    answer.append(0xFF)
                    JSON.object(["return": sync["arguments"]?["id"] ?? .null]).write(into: &answer)
                    answer.append(UInt8(ascii: "\n"))
                    try theirs.send(answer)
                    let request = try GuestAgentBlockedSendTests.readRequest(theirs)
                    var reply: [UInt8] = []
                    JSON.object(["return": [:], "id": request["id"] ?? .null]).write(into: &reply)
                    reply.append(UInt8(ascii: "\n"))
                    try theirs.send(reply)
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: "\(error)")
                }
            }
        }
        _ = try await client.execute(
            "guest-set-user-password", arguments: ["username": "root", "password": "c2VjcmV0", "crypted": false])
        #expect(await peer == nil)
        await client.close()
        let seen = wire.messages.withLock { $0 }
        #expect(seen.map(\.0) == [.sent, .received, .received, .sent, .received], "\(seen)")
        #expect(seen.first?.1["execute"] == "guest-sync-delimited")
        #expect(seen[1].1["id"] == 1, "the stale reply is observed as it came")
        #expect(seen[3].1["arguments"]?["password"] == "c2VjcmV0", "the observer gets the message as it is")
        let logged = wire.log.entries.withLock { $0 }
        #expect(logged.count == 5)
        #expect(!logged.contains { $0.metadata["qga.message"]?.contains("c2VjcmV0") == true }, "\(logged)")
        #expect(logged.allSatisfy { $0.metadata["qga.endpoint"]?.hasPrefix("qga:") == true })
    }
}
