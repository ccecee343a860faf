import GuestAgent
import QMP
import Testing

/// The agent's protocol state machine, byte by byte, with no sockets.
@Suite struct GuestAgentProtocolTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private let strayError = #"{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\ufffd'"}}"# + "\n"

    /// What qemu-ga 7.2 sent a new connection, measured: an earlier client's delimited sync reply and two other
    /// leftover replies, then the stray-byte error, then our delimited reply.
    @Test func staleRepliesBeforeTheDelimitedSyncReplyAreDiscardedAndCounted() throws {
        var proto = GuestAgentProtocol()
        let request = proto.synchronize(id: 987_654)
        #expect(request.first == 0xFF)
        let text = String(decoding: request.dropFirst(), as: UTF8.self)
        #expect(text == #"{"execute":"guest-sync-delimited","arguments":{"id":987654}}"# + "\n")
        let wire: [UInt8] = [0xFF] + bytes(#"{"return": 4711}"# + "\n") + bytes(#"{"return": {}, "id": 3}"# + "\n")
            + bytes(#"{"return": {"version": "7.2"}}"# + "\n") + bytes(strayError) + [0xFF] + bytes(#"{"return": 987654}"# + "\n")
        let outputs = proto.receive(wire)
        #expect(outputs == [
            .discarded(.staleReply), .discarded(.staleReply), .discarded(.staleReply), .discarded(.strayParseError),
            .synchronized(id: 987_654),
        ])
        #expect(proto.staleReplies == 3)
        #expect(proto.strayParseErrors == 1)
        #expect(proto.isReady)
    }

    /// The sync id must come back delimited: the same number without `0xFF` in front is a stale reply.
    @Test func anUndelimitedReplyWithTheSyncIDDoesNotSynchronise() {
        var proto = GuestAgentProtocol()
        _ = proto.synchronize(id: 42)
        #expect(proto.receive(bytes(#"{"return": 42}"# + "\n")) == [.discarded(.staleReply)])
        #expect(!proto.isReady)
        #expect(proto.receive([0xFF] + bytes(#"{"return": 42}"#)) == [.synchronized(id: 42)])
    }

    @Test func repliesAreMatchedByIDAndErrorsKeepTheirClass() throws {
        var proto = GuestAgentProtocol()
        _ = proto.synchronize(id: 1)
        _ = proto.receive([0xFF] + bytes(#"{"return": 1}"#))
        let request = try proto.command("guest-file-open", arguments: ["path": "/nope"], id: 77)
        #expect(String(decoding: request, as: UTF8.self)
            == #"{"execute":"guest-file-open","arguments":{"path":"/nope"},"id":77}"# + "\n")
        #expect(throws: QMPUsageError.self) { _ = try proto.command("guest-ping", id: 78) }
        let outputs = proto.receive(bytes(
            #"{"return": {}, "id": 76}{"error": {"class": "GenericError", "desc": "failed to open file '/nope'"}, "id": 77}"#))
        #expect(outputs == [
            .discarded(.staleReply),
            .reply(id: 77, .failure(QMPError(
                errorClass: "GenericError", message: "failed to open file '/nope'", command: "guest-file-open"))),
        ])
        #expect(proto.isReady)
    }

    /// Any chunking of the stream gives the same result, the delimiter included.
    @Test func byteByByteInputFramesTheSame() throws {
        var proto = GuestAgentProtocol()
        _ = proto.synchronize(id: 5)
        var outputs: [GuestAgentProtocol.Output] = []
        let wire = bytes(strayError) + [0xFF] + bytes("{\"return\":\n 5}\n")
        for byte in wire { outputs += proto.receive([byte]) }
        #expect(outputs == [.discarded(.strayParseError), .synchronized(id: 5)])
        _ = try proto.command("guest-ping", id: 6)
        outputs = []
        for byte in bytes(#"{"return": {}, "id": 6}"#) { outputs += proto.receive([byte]) }
        #expect(outputs == [.reply(id: 6, .success(.object([:])))])
    }

    /// A command given up on (time-out): the protocol must synchronise again, and the late reply is stale.
    @Test func abandoningRequiresResynchronisationAndTheLateReplyIsStale() throws {
        var proto = GuestAgentProtocol()
        _ = proto.synchronize(id: 9)
        _ = proto.receive([0xFF] + bytes(#"{"return": 9}"#))
        _ = try proto.command("guest-exec-status", arguments: ["pid": 1], id: 10)
        proto.abandon()
        #expect(proto.phase == .unsynchronized)
        #expect(throws: QMPUsageError.self) { _ = try proto.command("guest-ping", id: 11) }
        _ = proto.synchronize(id: 12)
        #expect(proto.receive(bytes(#"{"return": {"exited": false}, "id": 10}"#)) == [.discarded(.staleReply)])
        #expect(proto.receive(bytes(strayError) + [0xFF] + bytes(#"{"return": 12}"#)) == [
            .discarded(.strayParseError), .synchronized(id: 12),
        ])
        #expect(proto.staleReplies == 1)
        #expect(proto.synchronizations == 2)
    }

    /// `guest-shutdown` answers only on failure; the end of the stream is its success.
    @Test func aCommandEndingTheConnectionSucceedsAtEndOfStream() throws {
        var proto = GuestAgentProtocol()
        _ = proto.synchronize(id: 1)
        _ = proto.receive([0xFF] + bytes(#"{"return": 1}"#))
        _ = try proto.command("guest-shutdown", arguments: ["mode": "powerdown"], id: 2, endsConnection: true)
        #expect(proto.phase == .awaitingEnd(id: 2))
        #expect(proto.endOfStream() == .ended(expectedBy: 2))
        #expect(proto.phase == .closed)

        var other = GuestAgentProtocol()
        _ = other.synchronize(id: 1)
        _ = other.receive([0xFF] + bytes(#"{"return": 1}"#))
        _ = try other.command("guest-ping", id: 2)
        #expect(other.endOfStream() == .ended(expectedBy: nil))
    }

    /// Half a message cut off by a delimiter is dropped and counted; the delimited reply still counts.
    @Test func partialInputBeforeADelimiterIsDroppedAndCounted() {
        var proto = GuestAgentProtocol()
        _ = proto.synchronize(id: 3)
        let outputs = proto.receive(bytes(#"{"return": {"half"#) + [0xFF] + bytes(#"{"return": 3}"#))
        #expect(outputs == [.discarded(.malformed("incomplete input before a delimiter")), .synchronized(id: 3)])
        #expect(proto.malformedInputs == 1)
    }

    /// A message over the size limit is skipped as it arrives (memory stays bounded) and, once it ends, fails the
    /// call in front with a protocol error; the connection synchronises again.
    @Test func anOversizedMessageIsAProtocolError() throws {
        var proto = GuestAgentProtocol(maximumMessageSize: 64)
        _ = proto.synchronize(id: 3)
        _ = proto.receive([0xFF] + bytes(#"{"return": 3}"#))
        _ = try proto.command("guest-file-read", arguments: ["handle": 1], id: 4)
        let head = proto.receive(bytes(#"{"return": {"buf-b64": ""# + String(repeating: "A", count: 100)))
        #expect(head.isEmpty)
        #expect(proto.phase == .awaitingReply(id: 4))
        let outputs = proto.receive(bytes(#""}, "id": 4}"#))
        guard case .protocolError = outputs.last else {
            Issue.record("expected a protocol error, got \(outputs)")
            return
        }
        #expect(proto.phase == .unsynchronized)
    }

    /// guest-set-user-password's password is hidden wherever messages are logged (transcripts use ``Redaction``).
    @Test func theUserPasswordIsRedacted() throws {
        var proto = GuestAgentProtocol()
        _ = proto.synchronize(id: 1)
        _ = proto.receive([0xFF] + bytes(#"{"return": 1}"#))
        let request = try proto.command(
            "guest-set-user-password",
            arguments: ["username": "root", "password": .string(Base64.encode(Array("s3cret".utf8))), "crypted": false],
            id: 2)
        let redacted = Redaction.redact(try JSON(parsing: request)).serialized()
        #expect(!redacted.contains(Base64.encode(Array("s3cret".utf8))))
        #expect(redacted.contains(#""password":"<redacted>""#) && redacted.contains(#""username":"root""#))
    }

    @Test func base64RoundTripsAndRejectsGarbage() {
        for length in 0..<10 {
            let data = (0..<length).map { UInt8(($0 * 37 + 250) & 0xFF) }
            #expect(Base64.decode(Base64.encode(data)) == data)
        }
        #expect(Base64.encode(Array("hello".utf8)) == "aGVsbG8=")
        #expect(Base64.decode("aGVsbG8=") == Array("hello".utf8))
        #expect(Base64.decode("a$b") == nil)
    }

    @Test func addressesParse() throws {
        #expect(try GuestAgentAddress(parsing: "qga:/tmp/q.sock") == .socket(.unix(path: "/tmp/q.sock")))
        #expect(try GuestAgentAddress(parsing: "qga:tcp:127.0.0.1:4444") == .socket(.tcp(host: "127.0.0.1", port: 4444)))
        #expect(try GuestAgentAddress(parsing: "libvirt+qga:web1") == .libvirt(uri: nil, domain: "web1"))
        #expect(try GuestAgentAddress(parsing: "libvirt+qga+qemu+ssh://h/system#web1")
            == .libvirt(uri: "qemu+ssh://h/system", domain: "web1"))
        #expect(throws: MonitorAddressError.self) { try GuestAgentAddress(parsing: "qga:") }
        #expect(GuestAgentAddress.isAgent("qga:/x") && !GuestAgentAddress.isAgent("/x"))
    }
}
