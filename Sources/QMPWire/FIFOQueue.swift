/// A first-in first-out queue with O(1) amortized `append` and `popFirst`: a ring buffer.
///
/// It sits on every command's path twice (the write queue and the reply matcher), so it is public and
/// `@inlinable`: other modules get it specialized for their element type instead of calling the generic code, which
/// looked up type metadata at run time (about 3 000 instructions a command). `@inlinable` on a `package`
/// declaration is not inlined into other modules by Swift 6.3, hence `public`. Emptying it keeps its storage, so a
/// queue that fills and empties once per command allocates nothing after the first.
public struct FIFOQueue<Element> {
    /// The ring; its count is 0 or a power of two. Slots outside the live range hold `nil`.
    @usableFromInline var storage: ContiguousArray<Element?> = []
    /// The slot of the oldest element.
    @usableFromInline var head = 0
    /// The number of elements.
    @usableFromInline var live = 0

    /// An empty queue (it allocates on the first `append`).
    @inlinable public init() {}

    /// Whether the queue holds no element.
    @inlinable public var isEmpty: Bool { live == 0 }
    /// The number of elements.
    @inlinable public var count: Int { live }

    /// The oldest element, or `nil` when the queue is empty.
    @inlinable public var first: Element? { live == 0 ? nil : storage[head] }

    /// The storage slot of the element `offset` places after the oldest.
    @inlinable func slot(_ offset: Int) -> Int { (head + offset) & (storage.count - 1) }

    /// Adds `element` after the newest one.
    @inlinable public mutating func append(_ element: Element) {
        if live == storage.count { grow() }
        storage[slot(live)] = element
        live += 1
    }

    /// Removes and returns the oldest element, or `nil` when the queue is empty.
    @inlinable public mutating func popFirst() -> Element? {
        guard live > 0 else { return nil }
        let element = storage[head].take()
        head = (head + 1) & (storage.count - 1)
        live -= 1
        if live == 0 {
            head = 0
        } else if storage.count >= 4096 && live * 16 < storage.count {
            resize(to: storage.count / 4)
        }
        return element
    }

    /// Removes and returns every element, oldest first.
    @inlinable public mutating func removeAll() -> [Element] {
        var elements: [Element] = []
        elements.reserveCapacity(live)
        while let element = popFirst() { elements.append(element) }
        return elements
    }

    /// The elements, oldest first.
    @inlinable public var elements: some Sequence<Element> {
        (0..<live).lazy.map { [storage, head] offset in storage[(head + offset) & (storage.count - 1)]! }
    }

    /// Removes the first element for which `predicate` holds (O(n)); returns it.
    @inlinable public mutating func removeFirst(where predicate: (Element) -> Bool) -> Element? {
        guard let offset = (0..<live).first(where: { predicate(storage[slot($0)]!) }) else { return nil }
        if offset == 0 { return popFirst() }
        let element = storage[slot(offset)].take()
        // Close the gap: the elements after it move one place towards the front.
        for next in (offset + 1)..<live {
            storage[slot(next - 1)] = storage[slot(next)].take()
        }
        live -= 1
        return element
    }

    @usableFromInline mutating func grow() {
        resize(to: Swift.max(8, storage.count * 2))
    }

    /// Moves the elements, oldest first, to a new ring of `capacity` slots (a power of two, at least `live`).
    @usableFromInline mutating func resize(to capacity: Int) {
        var resized = ContiguousArray<Element?>(repeating: nil, count: capacity)
        for offset in 0..<live { resized[offset] = storage[slot(offset)].take() }
        storage = resized
        head = 0
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}
