import Testing
import QMPWire

struct Sample: Codable, Equatable {
    struct Inner: Codable, Equatable {
        var flag: Bool
        var list: [Int]
    }
    enum CodingKeys: String, CodingKey {
        case nodeName = "node-name"
        case size, ratio, inner, optional, raw, big
    }
    var nodeName: String
    var size: Int64
    var ratio: Double
    var inner: Inner
    var optional: String?
    var raw: JSON
    var big: UInt64
}

@Suite struct CodableTests {
    let sample = Sample(
        nodeName: "disk0", size: 1 << 40, ratio: 0.5, inner: .init(flag: true, list: [1, 2]), optional: nil,
        raw: ["any": [1, "x"]], big: .max)

    @Test func encodesInDeclarationOrderAndOmitsNil() throws {
        let json = try JSONValueEncoder().encode(sample)
        #expect(json.objectValue?.keys == ["node-name", "size", "ratio", "inner", "raw", "big"])
        #expect(json == [
            "node-name": "disk0", "size": .int(1 << 40), "ratio": 0.5, "inner": ["flag": true, "list": [1, 2]],
            "raw": ["any": [1, "x"]], "big": .uint(.max),
        ])
    }

    @Test func decodesWhatItEncodes() throws {
        let json = try JSONValueEncoder().encode(sample)
        #expect(try JSONValueDecoder().decode(Sample.self, from: json) == sample)
    }

    @Test func ignoresUnknownMembersAndAcceptsIntegralDoubles() throws {
        let json = try JSON(parsing: #"{"node-name":"d","size":10.0,"ratio":1,"inner":{"flag":false,"list":[],"new":1},"raw":null,"big":5,"extra":"x"}"#)
        let decoded = try JSONValueDecoder().decode(Sample.self, from: json)
        #expect(decoded.size == 10)
        #expect(decoded.ratio == 1)
        #expect(decoded.raw == .null)
        #expect(decoded.optional == nil)
    }

    @Test func reportsTheFailingPath() {
        let json: JSON = ["node-name": "d", "size": "big", "ratio": 1, "inner": ["flag": true, "list": []], "raw": 1, "big": 1]
        #expect {
            try JSONValueDecoder().decode(Sample.self, from: json)
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["size"]
        }
    }

    @Test func integerOverflowIsAnError() {
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Int8.self, from: 300) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(UInt.self, from: -1) }
    }

    @Test func jsonItselfIsCodable() throws {
        let value: JSON = ["a": [1, 2.5, "s", nil, true]]
        #expect(try JSONValueDecoder().decode(JSON.self, from: value) == value)
        #expect(try JSONValueEncoder().encode(value) == value)
    }
}
