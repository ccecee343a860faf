import Testing
import QMPWire

@Suite struct JSONParsingTests {
    @Test(arguments: [
        ("null", JSON.null), ("true", .bool(true)), ("false", .bool(false)), ("0", .int(0)), ("-12", .int(-12)),
        ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)),
        ("18446744073709551615", .uint(.max)), ("1.5", .double(1.5)), ("-2e3", .double(-2000)),
        (#""a\"b\\c\/\n\t""#, .string("a\"b\\c/\n\t")), (#""\u00e9\ud83d\ude00""#, .string("é😀")),
        ("[]", .array([])), ("{}", .object([:])), (" [1, \"x\", null] ", .array([1, "x", nil])),
    ])
    func parsesScalarsAndContainers(text: String, expected: JSON) throws {
        #expect(try JSON(parsing: text) == expected)
    }

    @Test func keepsKeyOrder() throws {
        let value = try JSON(parsing: #"{"z": 1, "a": {"y": 2, "b": 3}, "m": [true]}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["a"]?.objectValue?.keys == ["y", "b"])
        #expect(value.serialized() == #"{"z":1,"a":{"y":2,"b":3},"m":[true]}"#)
    }

    @Test(arguments: [
        ("", "unexpected end"), ("{", "expected a string key"), (#"{"a" 1}"#, "expected ':'"), ("[1,]", "unexpected character"),
        ("01", "leading zero"), ("1.", "invalid number"), (#""abc"#, "unterminated string"), ("tru", "unexpected end"),
        ("nul!", "invalid literal"), (#""\x""#, "invalid escape"), ("{} x", "unexpected text"), ("\"a\u{1}\"", "control character"),
    ])
    func rejectsInvalidText(text: String, expectedMessage: String) {
        #expect {
            try JSON(parsing: text)
        } throws: { error in
            (error as? JSONParseError)?.message.contains(expectedMessage) == true
        }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSON(parsing: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSON(parsing: fine)) != nil)
    }

    @Test func numbersCompareByValue() {
        #expect(JSON.int(1) == JSON.double(1.0))
        #expect(JSON.int(1) != JSON.double(1.5))
        #expect(JSON.uint(.max) != JSON.int(-1))
        #expect(Set<JSON>([.int(2), .double(2.0)]).count == 1)
    }

    @Test func objectEqualityIgnoresOrder() throws {
        #expect(try JSON(parsing: #"{"a":1,"b":2}"#) == JSON(parsing: #"{"b":2,"a":1}"#))
        #expect(try JSON(parsing: #"{"a":1,"b":2}"#) != JSON(parsing: #"{"a":1}"#))
    }

    @Test func accessors() throws {
        let value = try JSON(parsing: #"{"s":"x","i":42,"u":18446744073709551615,"d":2.5,"b":true,"a":[1],"o":{"k":null}}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["i"]?.intValue == 42)
        #expect(value["u"]?.uint64Value == .max)
        #expect(value["u"]?.int64Value == nil)
        #expect(value["d"]?.doubleValue == 2.5)
        #expect(value["d"]?.intValue == nil)
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?[0] == 1)
        #expect(value["a"]?[1] == nil)
        #expect(value["o"]?["k"]?.isNull == true)
        #expect(value.value(atDottedPath: "o.k") == .null)
        #expect(value["missing"] == nil)
    }
}

@Suite struct JSONSerializationTests {
    @Test(arguments: [
        (JSON.string("a\"b\\c\n\r\t\u{8}\u{c}\u{1}é"), #""a\"b\\c\n\r\t\b\f\u0001é""#),
        (.int(-9_223_372_036_854_775_808), "-9223372036854775808"), (.uint(.max), "18446744073709551615"),
        (.double(2.0), "2.0"), (.double(0.1), "0.1"), (.double(.infinity), "null"), (.int(7), "7"),
        (.array([]), "[]"), (.object([:]), "{}"),
    ])
    func writesCompactText(value: JSON, expected: String) {
        #expect(value.serialized() == expected)
    }

    @Test func prettyPrintsWithTwoSpaces() {
        let value: JSON = ["a": [1, 2], "b": ["c": nil], "e": [], "f": [:]]
        #expect(value.serialized(pretty: true) == """
            {
              "a": [
                1,
                2
              ],
              "b": {
                "c": null
              },
              "e": [],
              "f": {}
            }
            """)
    }

    @Test(arguments: [
        #"{"QMP":{"version":{"qemu":{"micro":22,"minor":2,"major":7},"package":"Debian 1:7.2+dfsg-7+deb12u18+b3"},"capabilities":["oob"]}}"#,
        #"{"return":{"status":"running","singlestep":false,"running":true}}"#,
        #"{"error":{"class":"CommandNotFound","desc":"The command x has not been found"},"id":{"a":[1,"2"]}}"#,
        #"{"event":"DEVICE_DELETED","data":{"path":"/machine/peripheral/vd1/virtio-backend"},"timestamp":{"seconds":1700000000,"microseconds":123456}}"#,
        #"{"a":"\u0000\u001f","b":-0.5,"c":1e+300,"d":[[],{}]}"#,
    ])
    func roundTripsThroughText(text: String) throws {
        let value = try JSON(parsing: text)
        #expect(try JSON(parsing: value.serialized()) == value)
        #expect(try JSON(parsing: value.serialized(pretty: true)) == value)
    }
}
