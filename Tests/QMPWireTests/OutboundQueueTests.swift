@testable import QMPWire
import Testing

/// The write side shared by the QMP, HMP and agent clients, driven with no sockets and no threads: who holds the
/// writer role, what a busy transport leaves queued, what a caller that gives up withdraws.
@Suite struct OutboundQueueTests {
    static func message(_ text: String) -> OutboundMessage { OutboundMessage(bytes: Array(text.utf8)) }

    @Test func theFirstCallerWritesAndLaterOnesQueueBehindIt() {
        var queue = OutboundQueue(limit: 100)
        let result1 = queue.enqueue(Self.message("a"))
        #expect(result1 == .write(ticket: 1))
        let result2 = queue.enqueue(Self.message("bb"))
        #expect(result2 == .queued(ticket: 2))
        #expect(queue.queuedBytes == 3)
        let result3 = queue.next()
        #expect(result3?.bytes == Array("a".utf8))
        let result4 = queue.next()
        #expect(result4?.bytes == Array("bb".utf8))
        let result5 = queue.next()
        #expect(result5 == nil)
        #expect(!queue.writing)
        // Idle again: the next caller writes.
        let result6 = queue.enqueue(Self.message("c"))
        #expect(result6 == .write(ticket: 3))
    }

    @Test func aBusyTransportHoldsTheQueueUntilItIsReady() {
        var queue = OutboundQueue(limit: 100)
        _ = queue.enqueue(Self.message("a"))
        _ = queue.next()
        let result7 = queue.busy()  // the writer gives up the role
        #expect(!result7)
        #expect(queue.transportBusy)
        let result8 = queue.enqueue(Self.message("b"))
        #expect(result8 == .queued(ticket: 2))
        let result9 = queue.ready()  // the transport's thread becomes the writer
        #expect(result9)
        let result10 = queue.next()
        #expect(result10?.bytes == Array("b".utf8))
        let result11 = queue.next()
        #expect(result11 == nil)
        let result12 = queue.ready()  // nothing waits: no writer needed
        #expect(!result12)
    }

    /// The transport may finish the busy message (and say ready) before the writer records `busy`: the writer
    /// carries on, nothing stalls.
    @Test func readyBetweenSendAndBusyIsNotLost() {
        var queue = OutboundQueue(limit: 100)
        _ = queue.enqueue(Self.message("a"))
        _ = queue.enqueue(Self.message("b"))
        _ = queue.next()
        let result13 = queue.ready()  // the writer still holds the role
        #expect(!result13)
        let result14 = queue.busy()  // so it goes on with the next message itself
        #expect(result14)
        let result15 = queue.next()
        #expect(result15?.bytes == Array("b".utf8))
        let result16 = queue.next()
        #expect(result16 == nil)
        #expect(!queue.writing && !queue.transportBusy)
    }

    @Test func aMessageNotYetHandedOverIsWithdrawnAndOneHandedOverIsNot() {
        var queue = OutboundQueue(limit: 100)
        guard case .write(let first) = queue.enqueue(Self.message("a")),
            case .queued(let second) = queue.enqueue(Self.message("bb"))
        else {
            Issue.record("unexpected admissions")
            return
        }
        _ = queue.next()
        let result17 = queue.withdraw(first)
        #expect(!result17)
        let result18 = queue.withdraw(second)
        #expect(result18)
        #expect(queue.queuedBytes == 0)
        let result19 = queue.withdraw(second)
        #expect(!result19)
        let result20 = queue.next()
        #expect(result20 == nil)
    }

    @Test func theLimitRefusesOnlyWhenSomethingWaits() {
        var queue = OutboundQueue(limit: 4)
        let result21 = queue.enqueue(Self.message("0123456789"))  // one is always accepted
        #expect(result21 == .write(ticket: 1))
        let result22 = queue.enqueue(Self.message("x"))
        #expect(result22 == .full(queuedBytes: 10))
        _ = queue.next()
        let result23 = queue.enqueue(Self.message("abcd"))
        #expect(result23 == .queued(ticket: 2))
        let result24 = queue.enqueue(Self.message("e"))
        #expect(result24 == .full(queuedBytes: 4))
    }

    @Test func closingDropsEverythingAndAFailedSendReleasesTheRole() {
        var queue = OutboundQueue(limit: 100)
        _ = queue.enqueue(Self.message("a"))
        _ = queue.enqueue(Self.message("b"))
        _ = queue.enqueue(Self.message("c"))
        _ = queue.next()
        queue.sendFailed()
        #expect(!queue.writing)
        let result25 = queue.removeAll()
        #expect(result25 == [2, 3])
        #expect(queue.isEmpty && queue.queuedBytes == 0)
    }
}
