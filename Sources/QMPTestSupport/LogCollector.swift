public import Logging
public import Synchronization

/// Collects what a swift-log `Logger` is given, for tests of wire logging: each entry's level, message and metadata
/// (values as text).
public final class LogCollector: Sendable {
    /// One log call.
    public struct Entry: Sendable {
        /// The level it was logged at.
        public var level: Logger.Level
        /// The message, as text.
        public var message: String
        /// The metadata, each value as text.
        public var metadata: [String: String]
    }

    /// Every entry so far, in the order they were logged.
    public let entries = Mutex<[Entry]>([])

    /// An empty collector.
    public init() {}

    /// A logger labelled `label` that hands every call at `level` or above to this collector.
    public func logger(label: String, level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { [self] _ in Handler(collector: self) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let collector: LogCollector
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let entry = Entry(
                level: event.level, message: "\(event.message)", metadata: (event.metadata ?? [:]).mapValues { "\($0)" })
            collector.entries.withLock { $0.append(entry) }
        }
    }
}
