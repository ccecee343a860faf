/// Presses keys together on the guest's keyboard, then releases them (in reverse order).
///
/// Returns `{}` once the presses are queued; the guest sees them over the next `holdTime` milliseconds.
/// ```swift
/// try await client.execute(SendKey(keys: [.qcode(.ctrl), .qcode(.alt), .qcode(.delete)]))
/// try await client.execute(SendKey(combination: "ctrl-alt-delete"))
/// ```
public struct SendKey: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "send-key"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The keys, pressed in this order.
    public var keys: [KeyValue]
    /// How long the keys stay down, in milliseconds (QEMU's default is 100).
    public var holdTime: Int?

    /// Creates a value from its members.
    public init(keys: [KeyValue], holdTime: Int? = nil) {
        self.keys = keys
        self.holdTime = holdTime
    }

    /// Keys by name joined with `-`, as HMP's `sendkey` takes them: `ctrl-alt-delete`, `shift-a`, `ret`.
    public init(combination: String, holdTime: Int? = nil) {
        self.keys = combination.split(separator: "-").map { .qcode(QKeyCode(rawValue: String($0))) }
        self.holdTime = holdTime
    }

    enum CodingKeys: String, CodingKey {
        case keys
        case holdTime = "hold-time"
    }
}
