/// Resumes the guest (or starts one launched with `-S`).
///
/// Returns `{}`; QEMU sends `RESUME` (``ResumeEvent``). Continuing a running guest is not an error.
public struct Cont: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "cont"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The command (it takes no arguments).
    public init() {}
}
