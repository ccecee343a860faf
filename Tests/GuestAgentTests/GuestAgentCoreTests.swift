#if canImport(Glibc)
import Glibc
#endif
import GuestAgent
import QMP
import QMPTestSupport
import QMPWire
import Testing

/// The agent client on the shared core (issue 14): its sends used to be blocking writes on the caller's thread,
/// so an agent that stopped reading held the call past its deadline for ever. Now they go through the same
/// transport and bounded queue as QMP's, and the deadline covers the send.
@Suite(.timeLimit(.minutes(1))) struct GuestAgentBlockedSendTests {
    /// Answers one `guest-sync-delimited` as qemu-ga does (`0xFF` then `{"return": ID}`), then reads no more.
    static func answerSynchronisation(_ peer: SocketConnection) throws {
        let request = try readRequest(peer)
        let id = try #require(request["arguments"]?["id"])
        var reply: [UInt8] = [0xFF]
        JSON.object(["return": id]).write(into: &reply)
        reply.append(UInt8(ascii: "\n"))
        try peer.send(reply)
    }

    /// One request line from the client (the `0xFF` of a synchronisation left out), within 10 s.
    static func readRequest(_ peer: SocketConnection) throws -> JSON {
        var received: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        while !received.contains(UInt8(ascii: "\n")) {
            guard peer.waitReadable(milliseconds: 10_000) else { throw TestSupportError("no request came") }
            let count = try peer.receive(into: buffer)
            guard count > 0 else { throw TestSupportError("the client went away") }
            received += buffer[0..<count]
        }
        return try JSON(parsing: Array(received.filter { $0 != 0xFF }.prefix { $0 != UInt8(ascii: "\n") }))
    }

    @Test func aCommandToAnAgentThatStopsReadingEndsAtItsDeadline() async throws {
        let (ours, theirs) = try SocketConnection.pair()
        let client = try await GuestAgentClient.connect(to: .fileDescriptor(dup(ours.fileDescriptor)), synchronizes: false)
        // The peer runs on a thread of its own (it blocks in reads); its outcome comes back when it is done.
        async let peer: String? = withCheckedContinuation { continuation in
            startDetachedThread {
                do {
                    try Self.answerSynchronisation(theirs)
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: "\(error)")
                }
            }
        }
        let big = JSON.string(String(repeating: "A", count: 8 << 20))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: QMPTimeoutError.self) {
            _ = try await client.execute("guest-file-write", arguments: ["handle": 1, "buf-b64": big], timeout: .seconds(2))
        }
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(5), "a command to an agent that stopped reading took \(elapsed)")
        #expect(client.statistics.synchronizations == 1, "the call got past synchronisation to the blocked send")
        let peerOutcome = await peer
        #expect(peerOutcome == nil)
        await client.close()
        #expect(clock.now - start < .seconds(7))
        withExtendedLifetime((ours, theirs)) {}
    }
}
