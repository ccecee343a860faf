/// The file format `screendump` writes.
public struct ScreendumpFormat: QMPEnum {
    /// The wire value.
    public var rawValue: String
    /// The value `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Netpbm (the default).
    public static let ppm: ScreendumpFormat = "ppm"
    /// PNG (needs QEMU built with libpng).
    public static let png: ScreendumpFormat = "png"
}
