/// The calls of one connection that wait for their replies, and which call a reply answers: the pending-call
/// matching of the QMP, HMP and guest-agent clients, once. A value type with no I/O and no locks (its owner keeps
/// it under its state lock), so the rules are tested by driving it directly (`ReplyMatcherTests`).
///
/// The rules:
/// - **In order, or by id.** In-band calls are answered strictly in the order they were sent (QEMU's rule, and
///   HMP's), so a reply without an id goes to the oldest in-band call; a reply with an id goes to the call
///   registered with that id, wherever it stands (QMP's out-of-band calls, the guest agent's calls).
/// - **Never shifts.** Each reply the owner receives, usable or not, is matched exactly once with ``match(replyID:callID:)``,
///   so one bad message never moves the replies after it onto the wrong calls. A reply with an id nobody has is
///   refused (``Unmatched/unknownID``) and changes nothing.
/// - **Withdrawn unsent.** A call whose request never reached the wire (still in the ``OutboundQueue``) leaves no
///   trace: ``withdrawUnsent(_:id:ticket:from:)``. One already sent stays, so that its reply, when it comes, is
///   matched (and dropped by the owner) instead of being taken for the next call's.
/// - **All fail at the end.** ``removeAll()`` hands back every pending call once, in-band ones in wire order.
///
/// Public with `@inlinable` hot paths only so that QMP's client specialises it (`@inlinable` on `package`
/// declarations is not inlined across modules by this toolchain; see ``FIFOQueue``). Not meant for use outside
/// qmpkit.
public struct PendingCalls<Call: AnyObject> {
    /// In-band calls in wire order.
    @usableFromInline var inBand = FIFOQueue<Call>()
    /// Calls that carry an id.
    @usableFromInline var byID: [JSON: Call] = [:]

    /// No pending calls.
    @inlinable public init() {}

    /// Whether no call is pending.
    package var isEmpty: Bool { inBand.isEmpty && byID.isEmpty }

    /// Registers a call about to be sent; false (nothing registered) when `id` is already in use.
    @inlinable public mutating func register(_ call: Call, id: JSON?, inBand isInBand: Bool) -> Bool {
        if let id {
            guard byID[id] == nil else { return false }
            byID[id] = call
        }
        if isInBand { inBand.append(call) }
        return true
    }

    /// Whether `id` is taken by a pending call.
    @inlinable public func isInUse(_ id: JSON) -> Bool { byID[id] != nil }

    /// The pending call registered with `id`, left pending.
    package func call(withID id: JSON) -> Call? { byID[id] }

    /// Whether `call`, registered with `id`, is still pending.
    package func contains(_ call: Call, id: JSON?) -> Bool {
        if let id { return byID[id] === call }
        return inBand.elements.contains { $0 === call }
    }

    /// The call a reply answers, removed from the pending ones: by its id when it has one, else the oldest in-band
    /// call. `callID` gives a call's id (so an in-band call that also has one is freed from ``isInUse(_:)``).
    /// A failure (no call fits) changes nothing.
    @inlinable public mutating func match(replyID id: JSON?, callID: (Call) -> JSON?) -> Result<Call, Unmatched> {
        if let id {
            guard let call = byID.removeValue(forKey: id) else { return .failure(.unknownID) }
            if inBand.first === call {
                _ = inBand.popFirst()
            } else {
                _ = inBand.removeFirst { $0 === call }
            }
            return .success(call)
        }
        guard let call = inBand.popFirst() else { return .failure(.nothingPending) }
        if let callID = callID(call), byID[callID] === call { byID[callID] = nil }
        return .success(call)
    }

    /// The oldest in-band call, removed: what a reply answers when calls carry no ids (HMP).
    package mutating func matchOldest() -> Call? {
        inBand.popFirst()
    }

    /// Why a reply matched no call.
    public enum Unmatched: Error {
        /// The reply carries an id no pending call has.
        case unknownID
        /// The reply has no id and no in-band call is pending.
        case nothingPending
    }

    /// Removes a call (registered with `id`) whatever became of its request: for a call that was never sent, or
    /// one matched by id whose late reply is to be refused as unknown.
    @inlinable public mutating func withdraw(_ call: Call, id: JSON?) {
        _ = inBand.removeFirst { $0 === call }
        if let id, byID[id] === call { byID[id] = nil }
    }

    /// Removes a call whose request is still waiting in `outbound` (its `ticket`), so no reply will come for it, and
    /// takes the request out of the queue; true when it did. A call already (partly) sent stays pending: its reply
    /// still has to be matched.
    package mutating func withdrawUnsent(
        _ call: Call, id: JSON?, ticket: UInt64?, from outbound: inout OutboundQueue
    ) -> Bool {
        guard let ticket, outbound.withdraw(ticket) else { return false }
        withdraw(call, id: id)
        return true
    }

    /// Removes every pending call: in-band ones in wire order, then those matched by id only.
    @inlinable public mutating func removeAll() -> (inBand: [Call], byIDOnly: [Call]) {
        let ordered = inBand.removeAll()
        let others = byID.values.filter { call in !ordered.contains { $0 === call } }
        byID.removeAll()
        return (ordered, others)
    }

    /// Every pending call once.
    package var pending: [Call] {
        var seen = Set<ObjectIdentifier>()
        var calls: [Call] = []
        for call in inBand.elements where seen.insert(ObjectIdentifier(call)).inserted { calls.append(call) }
        for call in byID.values where seen.insert(ObjectIdentifier(call)).inserted { calls.append(call) }
        return calls
    }
}
