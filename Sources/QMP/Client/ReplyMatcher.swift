import QMPWire

/// Which call a reply answers: a value type with no I/O and no locks, so the rule that matching never drifts is
/// tested by driving it directly (`ReplyMatcherTests`).
///
/// In-band calls are answered strictly in order (QEMU's rule), so a reply without an id goes to the oldest in-band
/// call; a reply with an id goes to the call registered with that id, wherever it stands. A call withdrawn before
/// any byte of it was sent leaves no trace. Every reply the client receives (a usable one or one that could not be
/// parsed) is matched exactly once, so one bad message never shifts the replies after it.
struct ReplyMatcher<Call: AnyObject> {
    /// In-band calls in wire order.
    private(set) var inBand = FIFOQueue<Call>()
    /// Calls that carry an id (out-of-band ones always do).
    private var byID: [JSON: Call] = [:]

    /// Registers a call about to be sent; false (nothing registered) when `id` is already in use.
    mutating func register(_ call: Call, id: JSON?, inBand isInBand: Bool) -> Bool {
        if let id {
            guard byID[id] == nil else { return false }
            byID[id] = call
        }
        if isInBand { inBand.append(call) }
        return true
    }

    /// Whether `id` is taken by a pending call.
    func isInUse(_ id: JSON) -> Bool { byID[id] != nil }

    /// The call a reply answers, removed from the pending ones: by its id when it has one, else the oldest in-band
    /// call. `nil` with the reason when no pending call fits.
    mutating func match(replyID id: JSON?, callID: (Call) -> JSON?) -> Result<Call, Unmatched> {
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

    /// Why a reply matched no call.
    enum Unmatched: Error {
        case unknownID
        case nothingPending
    }

    /// Removes a call that was never sent (so no reply will come for it).
    mutating func withdraw(_ call: Call, id: JSON?) {
        _ = inBand.removeFirst { $0 === call }
        if let id, byID[id] === call { byID[id] = nil }
    }

    /// Removes every pending call: in-band ones in wire order, then those matched by id only.
    mutating func removeAll() -> (inBand: [Call], byIDOnly: [Call]) {
        let ordered = inBand.removeAll()
        let others = byID.values.filter { call in !ordered.contains { $0 === call } }
        byID.removeAll()
        return (ordered, others)
    }

    /// Every pending call once.
    var pending: [Call] {
        var seen = Set<ObjectIdentifier>()
        var calls: [Call] = []
        for call in inBand.elements where seen.insert(ObjectIdentifier(call)).inserted { calls.append(call) }
        for call in byID.values where seen.insert(ObjectIdentifier(call)).inserted { calls.append(call) }
        return calls
    }
}
