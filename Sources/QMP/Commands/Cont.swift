/// Resumes the guest (or starts one launched with `-S`).
///
/// Returns `{}`; QEMU sends `RESUME` (``ResumeEvent``). Continuing a running guest is not an error.
public struct Cont: QMPCommand, Hashable {
    public static let name = "cont"
    public typealias Response = QMPEmpty

    public init() {}
}
