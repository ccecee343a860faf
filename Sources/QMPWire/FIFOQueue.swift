/// A first-in first-out queue with O(1) amortized `append` and `popFirst`.
///
/// Public and `@inlinable` only so that generic code in other modules of this package (``PendingCalls`` in the
/// clients' hot paths) is specialised for its element type: `@inlinable` on `package` declarations is not
/// inlined across modules by this toolchain (Swift 6.3), and unspecialised generic calls cost a metadata look-up
/// each (about 750 instructions a QMP command, measured with callgrind). Not meant for use outside qmpkit.
public struct FIFOQueue<Element> {
    @usableFromInline var storage: [Element?] = []
    @usableFromInline var head = 0

    /// An empty queue.
    @inlinable public init() {}

    /// Whether the queue holds no element.
    @inlinable public var isEmpty: Bool { head == storage.count }
    /// The number of elements.
    @inlinable public var count: Int { storage.count - head }

    /// The oldest element, left in the queue.
    @inlinable public var first: Element? { isEmpty ? nil : storage[head] }

    /// Adds an element at the back.
    @inlinable public mutating func append(_ element: Element) {
        storage.append(element)
    }

    /// Removes and returns the oldest element.
    @inlinable public mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        storage[head] = nil
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes and returns every element, oldest first.
    @inlinable public mutating func removeAll() -> [Element] {
        let elements = storage[head...].compactMap { $0 }
        storage.removeAll()
        head = 0
        return elements
    }

    /// The elements, oldest first.
    package var elements: some Sequence<Element> { storage[head...].lazy.compactMap { $0 } }

    /// Removes the first element for which `predicate` holds (O(n)); returns it.
    @inlinable public mutating func removeFirst(where predicate: (Element) -> Bool) -> Element? {
        guard let index = storage[head...].firstIndex(where: { $0.map(predicate) ?? false }) else { return nil }
        if index == head { return popFirst() }
        return storage.remove(at: index)
    }
}

/// A queue of sendable elements can be sent.
extension FIFOQueue: Sendable where Element: Sendable {}
