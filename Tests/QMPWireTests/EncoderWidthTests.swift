import Testing
import QMPWire

/// Every integer and float width through `JSONValueEncoder` (session 4 and 5 left this alone: an `Int32` made the
/// encoder call itself until the stack ran out, because only `Int`, `Int64`, `UInt64`, `Double`, `String` and
/// `Bool` were written directly and every other scalar went back through its own `encode(to:)`).
@Suite struct EncoderWidthTests {
    struct Widths: Encodable {
        var int8: Int8 = .min
        var int16: Int16 = .min
        var int32: Int32 = .min
        var int64: Int64 = .min
        var int: Int = -1
        var uint8: UInt8 = .max
        var uint16: UInt16 = .max
        var uint32: UInt32 = .max
        var uint64: UInt64 = .max
        var uint: UInt = .max
        var float: Float = 0.1
        var double: Double = 0.1
        var pid: Int32? = 4242
        var absent: Int16? = nil
        var nestedNone: Int32?? = .some(nil)
        var nestedSome: UInt16?? = .some(.some(7))
        var list: [Int32] = [1, -2, 3]
        var floats: [Float] = [1.5, -0.25]
        var table: [String: UInt32] = ["only": 9]
        var matrix: [[Int8]] = [[1], [-1, 2]]
    }

    @Test func everyWidthEncodesToTheNumberItHolds() throws {
        let json = try JSONValueEncoder().encode(Widths())
        #expect(json.serialized() == """
            {"int8":-128,"int16":-32768,"int32":-2147483648,"int64":-9223372036854775808,"int":-1,"uint8":255,\
            "uint16":65535,"uint32":4294967295,"uint64":18446744073709551615,"uint":18446744073709551615,\
            "float":0.1,"double":0.1,"pid":4242,"nestedNone":null,"nestedSome":7,"list":[1,-2,3],\
            "floats":[1.5,-0.25],"table":{"only":9},"matrix":[[1],[-1,2]]}
            """)
    }

    @Test func scalarsAtTheTopAndInUnkeyedContainersEncodeToo() throws {
        #expect(try JSONValueEncoder().encode(Int32(-7)) == .int(-7))
        #expect(try JSONValueEncoder().encode(UInt8(200)) == .int(200))
        #expect(try JSONValueEncoder().encode(Float(2.5)) == .double(2.5))
        #expect(try JSONValueEncoder().encode([UInt32.max, 0]) == [.int(Int64(UInt32.max)), .int(0)])
        #expect(try JSONValueEncoder().encode(Optional<Int16>.none) == .null)
    }

    @Test func whatItEncodesDecodesBack() throws {
        struct Round: Codable, Equatable {
            var a: Int8, b: Int16, c: Int32, d: UInt8, e: UInt16, f: UInt32, g: Float, h: [Int32: Int16]
        }
        let value = Round(a: -3, b: 300, c: -70_000, d: 9, e: 60_000, f: 4_000_000_000, g: 0.1, h: [5: -5])
        let json = try JSONValueEncoder().encode(value)
        #expect(try JSONValueDecoder().decode(Round.self, from: json) == value)
    }

    /// JSON has no infinity or NaN: encoding one is an error that names the member, not a silent `null`.
    @Test func nonFiniteFloatsAreRefused() {
        struct Ratio: Encodable { var ratio: Float; var other: Double }
        for value in [Ratio(ratio: .infinity, other: 0), Ratio(ratio: 0, other: .nan)] {
            #expect {
                _ = try JSONValueEncoder().encode(value)
            } throws: { error in
                guard case EncodingError.invalidValue(_, let context) = error else { return false }
                return ["ratio", "other"].contains(context.codingPath.last?.stringValue ?? "")
            }
        }
    }
}
