#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that a fake server's handler thread sets and a test reads afterwards.
public final class TestBox<Value: Sendable>: Sendable {
    private let storage = Locked<Value?>(nil)

    /// An empty box.
    public init() {}

    /// Stores `value`, replacing what was there. Safe from any thread.
    public func set(_ value: Value) { storage.withLock { $0 = value } }

    /// The stored value; nil until ``set(_:)`` was called. Safe from any thread.
    public func get() -> Value? { storage.withLock { $0 } }
}

/// Closes a descriptor (received through fd passing in a test).
public func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
