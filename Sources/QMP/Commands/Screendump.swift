/// Writes the guest's screen to a file on the QEMU host.
///
/// Returns `{}` once the file is written. Fails when there is no graphical console (e.g. `-nodefaults` with no
/// display device: "There is no console to take a screendump from"); works with `-display none` when a display
/// device such as `VGA` exists.
public struct Screendump: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "screendump"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The file to write, as QEMU sees the file system.
    public var filename: String
    /// The display device's id; the first console when absent.
    public var device: String?
    /// The head of a multi-head device.
    public var head: Int?
    /// The file format; PPM when absent.
    public var format: ScreendumpFormat?

    /// Creates a value from its members.
    public init(filename: String, device: String? = nil, head: Int? = nil, format: ScreendumpFormat? = nil) {
        self.filename = filename
        self.device = device
        self.head = head
        self.format = format
    }
}
