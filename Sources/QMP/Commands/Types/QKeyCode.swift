/// A key by QEMU's name for it (`QKeyCode`), e.g. `ctrl`, `alt`, `delete`, `a`, `f1`, `ret`, `spc`.
///
/// Any name can be written as a string literal (`"kp_enter"`); a few common ones have constants.
public struct QKeyCode: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let shift: QKeyCode = "shift"
    public static let shiftRight: QKeyCode = "shift_r"
    public static let alt: QKeyCode = "alt"
    public static let altRight: QKeyCode = "alt_r"
    public static let ctrl: QKeyCode = "ctrl"
    public static let ctrlRight: QKeyCode = "ctrl_r"
    public static let metaLeft: QKeyCode = "meta_l"
    public static let metaRight: QKeyCode = "meta_r"
    public static let esc: QKeyCode = "esc"
    public static let tab: QKeyCode = "tab"
    public static let backspace: QKeyCode = "backspace"
    /// Return / Enter.
    public static let ret: QKeyCode = "ret"
    /// The space bar.
    public static let space: QKeyCode = "spc"
    public static let delete: QKeyCode = "delete"
    public static let insert: QKeyCode = "insert"
    public static let home: QKeyCode = "home"
    public static let end: QKeyCode = "end"
    public static let pageUp: QKeyCode = "pgup"
    public static let pageDown: QKeyCode = "pgdn"
    public static let left: QKeyCode = "left"
    public static let right: QKeyCode = "right"
    public static let up: QKeyCode = "up"
    public static let down: QKeyCode = "down"
    public static let sysrq: QKeyCode = "sysrq"

    /// The function key `F<number>`.
    public static func f(_ number: Int) -> QKeyCode { QKeyCode(rawValue: "f\(number)") }
}
