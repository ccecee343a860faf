// Replies that are secrets themselves: what `qom-get` reads from a secret object.

extension Redaction {
    /// Whether the reply to this command is a secret: `qom-get` of a property named like a secret
    /// (``isSecretKey(_:)``) or of `data` (the value of a `secret` object; other objects' `data` is rare and is
    /// hidden too, to be safe).
    public static func readsSecret(command: String, arguments: JSON?) -> Bool {
        guard command == "qom-get", let property = arguments?["property"]?.stringValue else { return false }
        return property == "data" || isSecretKey(property)
    }

    /// Follows a QMP conversation message by message and redacts each one, replies included: the reply to a
    /// command that reads a secret (``readsSecret(command:arguments:)``) has its `return` replaced.
    ///
    /// Replies are matched to commands by `id` when both have one, otherwise in order (QEMU answers in-band
    /// commands in the order they were sent). Not thread-safe: a writer keeps one behind its own lock.
    public struct ReplyTracker: Sendable {
        private var pendingInOrder: [Bool] = []
        private var pendingByID: [String: Bool] = [:]
        /// The placeholder used.
        public var placeholder: String

        /// A tracker for one connection, replacing secrets with `placeholder`.
        public init(placeholder: String = Redaction.placeholder) {
            self.placeholder = placeholder
        }

        /// A message the client sent.
        public mutating func sent(_ message: JSON) -> JSON {
            if let name = message["execute"]?.stringValue ?? message["exec-oob"]?.stringValue {
                let secret = readsSecret(command: name, arguments: message["arguments"])
                if let id = message["id"] {
                    pendingByID[id.serialized()] = secret
                } else {
                    pendingInOrder.append(secret)
                    // A peer that never answers must not make the list grow without end.
                    if pendingInOrder.count > 65_536 { pendingInOrder.removeFirst(pendingInOrder.count - 65_536) }
                }
            }
            return redact(message, placeholder: placeholder)
        }

        /// A message the client received.
        public mutating func received(_ message: JSON) -> JSON {
            guard case .object(var object) = message, object["return"] != nil || object["error"] != nil else {
                return redact(message, placeholder: placeholder)
            }
            var secret = false
            if let id = object["id"], let pending = pendingByID.removeValue(forKey: id.serialized()) {
                secret = pending
            } else if !pendingInOrder.isEmpty {
                secret = pendingInOrder.removeFirst()
            }
            if secret, object["return"] != nil { object["return"] = .string(placeholder) }
            return redact(.object(object), placeholder: placeholder)
        }
    }
}
