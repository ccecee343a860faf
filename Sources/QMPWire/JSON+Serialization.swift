// MARK: - Writing JSON text

extension JSON {
    /// The JSON text of the value: compact on one line, or indented by two spaces when `pretty`.
    public func serialized(pretty: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        write(into: &bytes, pretty: pretty)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the JSON text of the value to `bytes`.
    public func write(into bytes: inout [UInt8], pretty: Bool = false) {
        if pretty {
            writePretty(into: &bytes, indent: 0)
        } else {
            writeCompact(into: &bytes)
        }
    }

    private func writeCompact(into bytes: inout [UInt8]) {
        switch self {
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.writeCompact(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for index in object.keys.indices {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSON.writeString(object.keys[index], into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                object.values[index].writeCompact(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        default:
            writeScalar(into: &bytes)
        }
    }

    private func writePretty(into bytes: inout [UInt8], indent: Int) {
        func newline(_ level: Int) {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
        switch self {
        case .array(let elements):
            if elements.isEmpty {
                bytes.append(contentsOf: Array("[]".utf8))
                return
            }
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                element.writePretty(into: &bytes, indent: indent + 1)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty {
                bytes.append(contentsOf: Array("{}".utf8))
                return
            }
            bytes.append(UInt8(ascii: "{"))
            for index in object.keys.indices {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                JSON.writeString(object.keys[index], into: &bytes)
                bytes.append(contentsOf: Array(": ".utf8))
                object.values[index].writePretty(into: &bytes, indent: indent + 1)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "}"))
        default:
            writeScalar(into: &bytes)
        }
    }

    private func writeScalar(into bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .int(let value): JSON.writeInteger(value, into: &bytes)
        case .uint(let value): bytes.append(contentsOf: Array(String(value).utf8))
        case .double(let value):
            if value.isFinite {
                if value == 0 && value.sign == .minus {
                    bytes.append(contentsOf: Array("-0.0".utf8))
                } else if value.rounded() == value, let exact = Int64(exactly: value), abs(value) < 1e15 {
                    JSON.writeInteger(exact, into: &bytes)
                    bytes.append(contentsOf: [0x2E, 0x30])  // ".0" keeps it a double on round trip
                } else {
                    bytes.append(contentsOf: Array(value.description.utf8))
                }
            } else {
                bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // JSON has no inf/nan
            }
        case .string(let value): JSON.writeString(value, into: &bytes)
        case .array, .object: preconditionFailure("not a scalar")
        }
    }

    private static func writeInteger(_ value: Int64, into bytes: inout [UInt8]) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `string` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func writeString(_ string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                runStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(hexDigits[Int(byte >> 4)])
                    bytes.append(hexDigits[Int(byte & 0xF)])
                }
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
