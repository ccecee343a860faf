/// A key by QEMU's name for it (`QKeyCode`), e.g. `ctrl`, `alt`, `delete`, `a`, `f1`, `ret`, `spc`.
///
/// Any name can be written as a string literal (`"kp_enter"`); a few common ones have constants.
public struct QKeyCode: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The left Shift key (`shift`).
    public static let shift: QKeyCode = "shift"
    /// The right Shift key (`shift_r`).
    public static let shiftRight: QKeyCode = "shift_r"
    /// The left Alt key (`alt`).
    public static let alt: QKeyCode = "alt"
    /// The right Alt key, AltGr on many layouts (`alt_r`).
    public static let altRight: QKeyCode = "alt_r"
    /// The left Control key (`ctrl`).
    public static let ctrl: QKeyCode = "ctrl"
    /// The right Control key (`ctrl_r`).
    public static let ctrlRight: QKeyCode = "ctrl_r"
    /// The left Meta (Windows / Super) key (`meta_l`).
    public static let metaLeft: QKeyCode = "meta_l"
    /// The right Meta (Windows / Super) key (`meta_r`).
    public static let metaRight: QKeyCode = "meta_r"
    /// Escape (`esc`).
    public static let esc: QKeyCode = "esc"
    /// Tab (`tab`).
    public static let tab: QKeyCode = "tab"
    /// Backspace (`backspace`).
    public static let backspace: QKeyCode = "backspace"
    /// Return / Enter.
    public static let ret: QKeyCode = "ret"
    /// The space bar.
    public static let space: QKeyCode = "spc"
    /// Delete, the one in the editing block (`delete`; the keypad's is `kp_delete`).
    public static let delete: QKeyCode = "delete"
    /// Insert (`insert`).
    public static let insert: QKeyCode = "insert"
    /// Home (`home`).
    public static let home: QKeyCode = "home"
    /// End (`end`).
    public static let end: QKeyCode = "end"
    /// Page Up (`pgup`).
    public static let pageUp: QKeyCode = "pgup"
    /// Page Down (`pgdn`).
    public static let pageDown: QKeyCode = "pgdn"
    /// The left arrow (`left`).
    public static let left: QKeyCode = "left"
    /// The right arrow (`right`).
    public static let right: QKeyCode = "right"
    /// The up arrow (`up`).
    public static let up: QKeyCode = "up"
    /// The down arrow (`down`).
    public static let down: QKeyCode = "down"
    /// SysRq / Print Screen (`sysrq`); with Alt on a Linux guest it starts a magic SysRq combination.
    public static let sysrq: QKeyCode = "sysrq"

    /// The function key `F<number>`.
    public static func f(_ number: Int) -> QKeyCode { QKeyCode(rawValue: "f\(number)") }
}
