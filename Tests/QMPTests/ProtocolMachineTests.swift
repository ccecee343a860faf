@testable import QMP
import QMPWire
import Testing

/// The client's protocol logic (`ClientProtocol`) driven with no sockets, no threads and no clock: bytes drip-fed
/// through the framer, replies reordered, hostile input, close in every state, a greeting that never comes, id
/// collisions.
@Suite struct ProtocolMachineTests {
    static func machine(sendsIDs: Bool = false, historyLimit: Int = 4096) -> ClientProtocol {
        ClientProtocol(sendsIDs: sendsIDs, endingCommands: ["quit"], historyLimit: historyLimit, maximumQueuedBytes: 1 << 20)
    }

    /// Frames `text` one byte at a time and feeds every item to the machine.
    static func feed(_ machine: inout ClientProtocol, _ text: String) -> [ClientProtocol.Output] {
        var framer = JSONStreamFramer(maximumMessageSize: 4096)
        var outputs: [ClientProtocol.Output] = []
        for byte in Array(text.utf8) {
            framer.append([byte])
            while let item = try? framer.next() { outputs.append(machine.receive(item)) }
        }
        return outputs
    }

    /// Registers a call and takes its request off the queue, as the writer would.
    @discardableResult
    static func send(_ machine: inout ClientProtocol, _ name: String, id: JSON? = nil, outOfBand: Bool = false) throws
        -> (PendingCall, String)
    {
        let call = PendingCall(name: name)
        _ = try machine.call(call, arguments: nil, id: id, outOfBand: outOfBand, fileDescriptors: []).get()
        let next = machine.outbound.next()
        let message = try #require(next)
        _ = machine.outbound.next()
        return (call, String(decoding: message.bytes, as: UTF8.self))
    }

    static func reply(_ output: ClientProtocol.Output) -> (PendingCall, Result<JSON, any Error>)? {
        if case .reply(let call, let result) = output { return (call, result) }
        return nil
    }

    @Test func aDripFedGreetingAndRepliesReachTheirCallsInOrder() throws {
        var machine = Self.machine()
        let greeted = Self.feed(&machine, #"{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": ""}, "capabilities": ["oob"]}}"# + "\r\n")
        guard case .greeted(let greeting) = greeted.first else {
            Issue.record("no greeting: \(greeted)")
            return
        }
        #expect(greeting.version.major == 7 && greeting.capabilities == ["oob"])
        let (a, request) = try Self.send(&machine, "query-status")
        #expect(request == #"{"execute":"query-status"}"# + "\n")
        let (b, _) = try Self.send(&machine, "query-name")
        let outputs = Self.feed(&machine, #"{"return": {"status": "running"}}"# + "\n" + #"{"error": {"class": "GenericError", "desc": "no"}}"# + "\n")
        let first = try #require(Self.reply(outputs[0]))
        let second = try #require(Self.reply(outputs[1]))
        #expect(first.0 === a && second.0 === b)
        #expect(try first.1.get() == ["status": "running"])
        #expect(throws: QMPError.self) { try second.1.get() }
    }

    /// Replies with ids may come in any order; unusable ones still end exactly their call.
    @Test func reorderedAndUnusableRepliesNeverShiftTheMatching() throws {
        var machine = Self.machine(sendsIDs: true)
        let (a, requestA) = try Self.send(&machine, "a")
        let (b, _) = try Self.send(&machine, "b")
        let (c, _) = try Self.send(&machine, "c")
        #expect(requestA.contains(#""id":1"#))
        let outputs = Self.feed(&machine, "{\"return\": 3, \"id\": 3}\n{\"return\": \"\u{1}bad\", \"id\": 1}\n{\"return\": 2, \"id\": 2}\n")
        let replies = outputs.compactMap(Self.reply)
        #expect(replies.count == 3)
        #expect(replies[0].0 === c && (try? replies[0].1.get()) == 3)
        #expect(replies[1].0 === a)
        #expect(throws: QMPProtocolError.self) { try replies[1].1.get() }
        #expect(replies[2].0 === b && (try? replies[2].1.get()) == 2)
    }

    /// Hostile input between messages is counted and ends no call; a reply nobody waits for is an anomaly.
    @Test func hostileInputIsCountedAndTouchesNoCall() throws {
        var machine = Self.machine()
        let (call, _) = try Self.send(&machine, "query-status")
        let outputs = Self.feed(&machine, "garbage\n[1,2]\n{\"event\": \"X\", \"data\": \u{1}}\n{\"return\": {}, \"id\": 99}\n{\"return\": {}}\n")
        let replies = outputs.compactMap(Self.reply)
        #expect(replies.count == 1 && replies[0].0 === call)
        #expect(machine.anomalyCount == 4, "\(machine.anomalies)")
        #expect(machine.anomalies.contains { $0.reason == "reply with an id no pending command has" })
        #expect(machine.eventSequence == 0, "an unreadable event is not an event")
    }

    @Test func idCollisionsAreRefusedAndOutOfBandCallsGetIDs() throws {
        var machine = Self.machine()
        _ = try Self.send(&machine, "a", id: "x")
        let duplicate = PendingCall(name: "b")
        let collision = machine.call(duplicate, arguments: nil, id: "x", outOfBand: false, fileDescriptors: [])
        #expect(throws: QMPUsageError.self) { try collision.get() }
        let (_, oob) = try Self.send(&machine, "c", outOfBand: true)
        #expect(oob.contains(#""exec-oob":"c""#) && oob.contains(#""id":1"#))
    }

    /// Close before the greeting, with calls queued, in flight and abandoned; `quit` succeeds when the peer
    /// closes; later calls fail at once with the first error.
    @Test func closeInEveryStateEndsEveryCallOnce() throws {
        var machine = Self.machine()
        let (sent, _) = try Self.send(&machine, "query-status")
        let (quit, _) = try Self.send(&machine, "quit")
        let queued = PendingCall(name: "queued")
        _ = try machine.call(queued, arguments: nil, id: nil, outOfBand: false, fileDescriptors: []).get()
        let abandoned = PendingCall(name: "abandoned")
        _ = try machine.call(abandoned, arguments: nil, id: nil, outOfBand: false, fileDescriptors: []).get()
        machine.abandon(abandoned, with: CancellationError())
        #expect(machine.outbound.count == 1, "the abandoned request was withdrawn unsent")
        let ending = machine.close(QMPConnectionError(.closedByPeer, "gone"))
        #expect(ending.failed.map(\.0.name) == ["query-status", "queued"])
        #expect(ending.failed.first?.0 === sent)
        #expect(ending.failed.allSatisfy { $0.1.code == .closedByPeer && $0.1.message.contains("was pending") })
        #expect(ending.succeeded.count == 1 && ending.succeeded[0] === quit)
        #expect(machine.outbound.isEmpty)
        let again = machine.close(QMPConnectionError(.ioError, "later"))
        #expect(again.error.code == .closedByPeer && again.failed.isEmpty)
        let after = machine.call(PendingCall(name: "after"), arguments: nil, id: nil, outOfBand: false, fileDescriptors: [])
        #expect(throws: QMPConnectionError.self) { try after.get() }
    }

    @Test func aCloseTheClientAskedForIsClosedByClientAndQuitThenFails() throws {
        var machine = Self.machine()
        _ = try Self.send(&machine, "quit")
        machine.closing = true
        let ending = machine.close(QMPConnectionError(.closedByPeer, "eof"))
        #expect(ending.error.code == .closedByClient)
        #expect(ending.failed.count == 1 && ending.succeeded.isEmpty)
    }

    /// A greeting that never comes (the driver's timer) or cannot be read fails once; a late one is ignored.
    @Test func greetingFailuresAreReportedOnce() {
        var machine = Self.machine()
        let first = machine.failGreeting(QMPConnectionError(.noGreeting, "time"))
        let second = machine.failGreeting(QMPConnectionError(.noGreeting, "again"))
        #expect(first && !second)
        var unreadable = Self.machine()
        let outputs = Self.feed(&unreadable, "{\"QMP\": {\"version\": \u{1}}}\n")
        guard case .greetingFailed(let error) = outputs.first else {
            Issue.record("\(outputs)")
            return
        }
        #expect(error.code == .protocolViolation)
        #expect(unreadable.greeting == nil)
    }

    /// Events are numbered; the history keeps those since the last command up to its stretch, then evicts and
    /// remembers how far.
    @Test func eventHistoryKeepsWhatWaitsNeedAndSaysWhatItEvicted() throws {
        var machine = Self.machine(historyLimit: 4)
        let event = #"{"event": "E", "data": {}, "timestamp": {"seconds": 1, "microseconds": 0}}"# + "\n"
        _ = Self.feed(&machine, String(repeating: event, count: 6))
        // No command yet: all of them count for a wait, so none is evicted below the stretch.
        #expect(machine.eventSequence == 6 && machine.evictedThrough == 0)
        #expect(machine.events(after: 0).map(\.sequence) == [1, 2, 3, 4, 5, 6])
        _ = try Self.send(&machine, "after")
        #expect(machine.lastCommandEventSequence == 6)
        _ = Self.feed(&machine, String(repeating: event, count: 40))
        // The six before the command went first; everything since it is kept up to 8 × 4 = 32 events.
        #expect(machine.events(after: 6).count == 32)
        #expect(machine.evictedThrough == 14)
    }
}
