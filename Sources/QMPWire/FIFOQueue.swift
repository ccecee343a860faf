/// A first-in first-out queue with O(1) amortized `append` and `popFirst`.
package struct FIFOQueue<Element> {
    private var storage: [Element?] = []
    private var head = 0

    package init() {}

    package var isEmpty: Bool { head == storage.count }
    package var count: Int { storage.count - head }

    package var first: Element? { isEmpty ? nil : storage[head] }

    package mutating func append(_ element: Element) {
        storage.append(element)
    }

    package mutating func popFirst() -> Element? {
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
    package mutating func removeAll() -> [Element] {
        let elements = storage[head...].compactMap { $0 }
        storage.removeAll()
        head = 0
        return elements
    }

    /// The elements, oldest first.
    package var elements: some Sequence<Element> { storage[head...].lazy.compactMap { $0 } }

    /// Removes the first element for which `predicate` holds (O(n)); returns it.
    package mutating func removeFirst(where predicate: (Element) -> Bool) -> Element? {
        guard let index = storage[head...].firstIndex(where: { $0.map(predicate) ?? false }) else { return nil }
        if index == head { return popFirst() }
        return storage.remove(at: index)
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}
