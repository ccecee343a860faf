import QMPWire

/// An event received from QEMU.
///
/// `sequence` numbers events in arrival order on one connection (starting at 1); an ``EventCursor`` refers to a
/// point in that order, which is what makes waits race-free.
public struct QMPEvent: Sendable, Equatable {
    /// The event name, e.g. `DEVICE_DELETED`.
    public var name: String
    /// The event's data; an empty object when QEMU sent none.
    public var data: JSON
    /// QEMU's timestamp.
    public var timestamp: QMPTimestamp
    /// Arrival order on this connection, from 1.
    public var sequence: UInt64

    /// Creates a value from its members.
    public init(name: String, data: JSON = .object([:]), timestamp: QMPTimestamp = QMPTimestamp(), sequence: UInt64 = 0) {
        self.name = name
        self.data = data
        self.timestamp = timestamp
        self.sequence = sequence
    }

    /// Decodes the data as the typed event `type`.
    public func decode<E: QMPEventType>(_ type: E.Type) throws -> E {
        try JSONValueDecoder().decode(E.self, from: data)
    }

    /// The event as QEMU sent it: `{"event": ..., "data": ..., "timestamp": ...}`.
    public var json: JSON { QMPEventMessage(name: name, data: data, timestamp: timestamp).json }
}

/// A typed event: its wire name and the shape of its `data`.
///
/// ```swift
/// let deleted = try await client.waitForEvent(DeviceDeletedEvent.self, timeout: .seconds(10)) { $0.device == "vd1" }
/// ```
public protocol QMPEventType: Decodable, Sendable {
    /// The wire name, e.g. `DEVICE_DELETED`.
    static var name: String { get }
}

/// A point in a connection's event order. Waits and subscriptions can start from a cursor so that events that
/// arrived after it, but before the wait began, still count.
public struct EventCursor: Sendable, Hashable, Comparable {
    /// Events with a sequence number above this one come after the cursor.
    public var sequence: UInt64

    /// Creates a value from its members.
    public init(sequence: UInt64) { self.sequence = sequence }

    /// Orders cursors by their position in the event order.
    public static func < (lhs: EventCursor, rhs: EventCursor) -> Bool { lhs.sequence < rhs.sequence }
}

/// Where a wait starts looking for its event.
public enum EventStart: Sendable, Hashable {
    /// Events that arrived since the most recent command was sent count (the default, and what scripts use).
    case lastCommand
    /// Only events that arrive from now on count.
    case now
    /// Events after this cursor count.
    case cursor(EventCursor)
}

/// Which events a subscription or a wait accepts.
public struct QMPEventFilter: Sendable {
    /// Accepted names; `nil` accepts every name.
    public var names: Set<String>?
    /// Data members that must be equal, by dotted path into `data` (`"device"`, `"info.status"`).
    public var dataMatch: [String: JSON]
    /// A further test, when the above is not enough.
    public var predicate: (@Sendable (QMPEvent) -> Bool)?

    /// Creates a value from its members.
    public init(names: Set<String>? = nil, dataMatch: [String: JSON] = [:], predicate: (@Sendable (QMPEvent) -> Bool)? = nil) {
        self.names = names
        self.dataMatch = dataMatch
        self.predicate = predicate
    }

    /// Every event.
    public static let all = QMPEventFilter()

    /// Events with one of these names.
    public static func names(_ names: String...) -> QMPEventFilter { QMPEventFilter(names: Set(names)) }

    /// Whether `event` passes the filter.
    public func accepts(_ event: QMPEvent) -> Bool {
        if let names, !names.contains(event.name) { return false }
        for (path, expected) in dataMatch where event.data.value(atDottedPath: path) != expected {
            return false
        }
        return predicate?(event) ?? true
    }
}

