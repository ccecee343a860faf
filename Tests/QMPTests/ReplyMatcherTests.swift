@testable import QMP
import QMPTestSupport
import QMPWire
import Testing

/// The matching rule as a value type (`QMPWire.PendingCalls`, shared by the QMP, HMP and guest-agent clients),
/// driven with no sockets and no threads: drip-fed, reordered and hostile inputs. A peer answers in-band calls in order and id-carrying ones in any order; some replies cannot be parsed.
/// Every reply, usable or not, must reach exactly its own call.
@Suite struct ReplyMatcherTests {
    final class Call {
        let number: Int
        let id: JSON?
        init(_ number: Int, id: JSON?) {
            self.number = number
            self.id = id
        }
    }

    static func reply(_ matcher: inout PendingCalls<Call>, _ id: JSON?) -> Call? {
        try? matcher.match(replyID: id, callID: { $0.id }).get()
    }

    static func register(_ matcher: inout PendingCalls<Call>, _ call: Call, inBand: Bool = true) -> Bool {
        matcher.register(call, id: call.id, inBand: inBand)
    }

    @Test func replyWithoutIDGoesToTheOldestInBandCallAndIDsGoToTheirOwn() {
        var matcher = PendingCalls<Call>()
        let a = Call(1, id: nil)
        let b = Call(2, id: 7)
        let c = Call(3, id: nil)
        let oob = Call(4, id: "x")
        let registered = [
            Self.register(&matcher, a), Self.register(&matcher, b), Self.register(&matcher, c),
            Self.register(&matcher, oob, inBand: false),
        ]
        #expect(registered == [true, true, true, true])
        let duplicate = Self.register(&matcher, Call(5, id: "x"), inBand: false)
        #expect(!duplicate, "an id in use is refused")
        let answers = [
            Self.reply(&matcher, "x"), Self.reply(&matcher, nil), Self.reply(&matcher, 7), Self.reply(&matcher, nil),
        ]
        #expect(answers.map { $0?.number } == [4, 1, 2, 3])
        let extra = [Self.reply(&matcher, nil), Self.reply(&matcher, 99)]
        #expect(extra.allSatisfy { $0 == nil })
        #expect(matcher.pending.isEmpty)
    }

    @Test func aWithdrawnCallLeavesNoTrace() {
        var matcher = PendingCalls<Call>()
        let a = Call(1, id: nil)
        let b = Call(2, id: 3)
        let c = Call(3, id: nil)
        for call in [a, b, c] { _ = matcher.register(call, id: call.id, inBand: true) }
        matcher.withdraw(b, id: 3)
        let answers = [Self.reply(&matcher, nil), Self.reply(&matcher, nil)]
        #expect(answers.map { $0?.number } == [1, 3])
        let again = Self.register(&matcher, Call(4, id: 3))
        #expect(again, "the id is free again")
    }

    /// Random interleavings: calls registered in batches, the peer answering in-band calls in order (by id or
    /// without), id-only calls in random order, with unparseable replies among them (which the client matches
    /// without an id, or with the id it could still read). Each call gets the reply meant for it.
    @Test func randomInterleavingsNeverDrift() {
        var random = SeededRandom(seed: 14)
        for _ in 0..<500 {
            var matcher = PendingCalls<Call>()
            var inFlightInBand: [Call] = []
            var inFlightByID: [Call] = []
            var next = 0
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                if Bool.random(using: &random) || (inFlightInBand.isEmpty && inFlightByID.isEmpty) {
                    next += 1
                    let inBand = Int.random(in: 0..<4, using: &random) > 0
                    let id: JSON? = !inBand || Bool.random(using: &random) ? .int(Int64(next)) : nil
                    let call = Call(next, id: id)
                    let registered = matcher.register(call, id: id, inBand: inBand)
                    #expect(registered)
                    if inBand { inFlightInBand.append(call) } else { inFlightByID.append(call) }
                } else {
                    // The peer answers: the oldest in-band call, or any id-only call.
                    let answerInBand = !inFlightInBand.isEmpty && (inFlightByID.isEmpty || Bool.random(using: &random))
                    let call: Call
                    if answerInBand {
                        call = inFlightInBand.removeFirst()
                    } else {
                        call = inFlightByID.remove(at: Int.random(in: 0..<inFlightByID.count, using: &random))
                    }
                    // An unparseable reply loses its id unless the framer could still read it; in-band only, since
                    // an id-only call's reply must carry its id to be found at all.
                    let readableID = answerInBand && Int.random(in: 0..<3, using: &random) == 0 ? nil : call.id
                    let matched = Self.reply(&matcher, readableID)
                    #expect(matched === call, "reply for \(call.number) went to \(matched?.number ?? -1)")
                }
            }
            #expect(matcher.pending.count == inFlightInBand.count + inFlightByID.count)
            let (ordered, others) = matcher.removeAll()
            #expect(ordered.map(\.number) == inFlightInBand.map(\.number))
            #expect(Set(others.map(\.number)) == Set(inFlightByID.map(\.number)))
        }
    }

    /// The framer and the matcher together, fed a byte at a time: a reply that cannot be parsed still ends one call.
    @Test func dripFedStreamWithABrokenReply() throws {
        var matcher = PendingCalls<Call>()
        let calls = (1...3).map { Call($0, id: nil) }
        for call in calls { _ = matcher.register(call, id: nil, inBand: true) }
        let stream = Array("{\"return\": 1}\r\n{\"return\": \"a\u{1B}b\"}\r\n{\"event\": \"X\u{0}\"}\r\n{\"return\": 3}\r\n".utf8)
        var framer = JSONStreamFramer()
        var answered: [(Int, String)] = []
        for byte in stream {
            framer.append([byte])
            while let item = try framer.next() {
                switch item {
                case .object(let object):
                    let call = Self.reply(&matcher, object["id"])
                    answered.append((call?.number ?? -1, "\(object["return"] ?? .null)"))
                case .malformed(let input) where input.isObject && !input.keys.contains("event"):
                    let call = Self.reply(&matcher, input.id)
                    answered.append((call?.number ?? -1, "unusable"))
                case .malformed:
                    break
                }
            }
        }
        #expect(answered.map(\.0) == [1, 2, 3])
        #expect(answered.map(\.1) == ["1", "unusable", "3"])
    }

    /// A call whose request still waits in the write queue is withdrawn with it and leaves no trace; one already
    /// handed to the transport stays pending, so its reply cannot be taken for the next call's.
    @Test func onlyAnUnsentCallIsWithdrawn() {
        var matcher = PendingCalls<Call>()
        var outbound = OutboundQueue(limit: 1 << 20)
        let sent = Call(1, id: nil)
        let queued = Call(2, id: nil)
        let behind = Call(3, id: nil)
        var tickets: [UInt64] = []
        for call in [sent, queued, behind] {
            switch outbound.enqueue(OutboundMessage(bytes: Array("{}\n".utf8))) {
            case .write(let ticket), .queued(let ticket): tickets.append(ticket)
            case .full: Issue.record("queue full")
            }
            _ = matcher.register(call, id: nil, inBand: true)
        }
        _ = outbound.next()  // the first request goes to the transport
        #expect(!matcher.withdrawUnsent(sent, id: nil, ticket: tickets[0], from: &outbound))
        #expect(matcher.contains(sent, id: nil))
        #expect(matcher.withdrawUnsent(queued, id: nil, ticket: tickets[1], from: &outbound))
        #expect(!matcher.contains(queued, id: nil))
        #expect(outbound.count == 1, "the withdrawn request left the queue")
        #expect(matcher.matchOldest() === sent)
        #expect(matcher.matchOldest() === behind)
        #expect(matcher.isEmpty)
    }
}
