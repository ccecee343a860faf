import Foundation
import QMPWire
import Testing

/// JSON a hostile peer or a careless user can send (issue 14): huge objects parse in linear time, nesting has a
/// bound that gives a clear error, and numbers are never changed silently.
@Suite struct JSONLimitsTests {
    /// 40 000 keys (~700 KB) took 2.6 s with a linear search per key, against 0.03 s for JSONSerialization.
    @Test func objectsWithManyKeysParseInLinearTime() throws {
        var text = "{"
        for index in 0..<40_000 {
            if index > 0 { text += "," }
            text += "\"key-number-\(index)\": \(index)"
        }
        text += "}"
        let bytes = Array(text.utf8)
        let data = Data(bytes)
        let clock = ContinuousClock()
        var ours = Duration.seconds(1000)
        var foundation = Duration.seconds(1000)
        var parsed = JSON.null
        for _ in 0..<3 {
            ours = min(ours, clock.measure { parsed = (try? JSON(parsing: bytes)) ?? .null })
            foundation = min(foundation, clock.measure { _ = try? JSONSerialization.jsonObject(with: data) })
        }
        #expect(parsed["key-number-39999"] == 39_999)
        #expect(parsed.objectValue?.count == 40_000)
        #expect(parsed.objectValue?.keys.first == "key-number-0", "key order is kept")
        // Within 2× of Foundation, with room for a loaded machine's noise on a 30 ms figure.
        #expect(ours < foundation * 2 + .milliseconds(30), "40 000 keys: \(ours) against JSONSerialization's \(foundation)")
        print("figure: 40 000-key object: \(ours) (JSONSerialization \(foundation))")
    }

    /// The same object as a peer sends it: framed from 4 KiB chunks as they arrive, then parsed. A generous bound
    /// (a debug build on a loaded machine takes ~0.1 s): a quadratic framer or parser would take seconds.
    @Test func aPeersFortyThousandKeyObjectFramesInBoundedTime() throws {
        var bytes = Array("{\"return\": {".utf8)
        for index in 0..<40_000 {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += Array("\"k\(100_000 + index)\": \(index * 7)".utf8)
        }
        bytes += Array("}}\r\n".utf8)
        var framer = JSONStreamFramer()
        var items: [JSONStreamFramer.Item] = []
        let elapsed = try ContinuousClock().measure {
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + 4096, bytes.count)
                bytes[offset..<end].withUnsafeBytes { framer.append($0) }
                while let item = try framer.next() { items.append(item) }
                offset = end
            }
        }
        #expect(items.count == 1)
        guard case .object(let reply) = items.first else {
            Issue.record("not framed as one object: \(items)")
            return
        }
        #expect(reply["return"]?.objectValue?.count == 40_000)
        #expect(elapsed < .seconds(5), "framing and parsing 40 000 keys took \(elapsed)")
    }

    @Test func largeObjectsStillBehaveLikeObjects() {
        var object = JSONObject()
        for index in 0..<100 { object["k\(index)"] = .int(Int64(index)) }
        object["k50"] = "replaced"
        object["k10"] = nil
        #expect(object.count == 99)
        #expect(object["k50"] == "replaced")
        #expect(object["k10"] == nil)
        #expect(object["k99"] == 99)
        #expect(object.keys[10] == "k11")
        object["k10"] = true
        #expect(object.keys.last == "k10")
        #expect(object["k10"] == true)
    }

    /// A depth far beyond anything QEMU sends gives a clear error instead of exhausting the stack; legitimate deep
    /// values (QEMU's 607) parse.
    @Test func nestingHasAClearLimit() throws {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: Never.self) { try JSON(parsing: deep) }
        let absurd = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        do {
            _ = try JSON(parsing: absurd)
            Issue.record("100 000-deep nesting was accepted")
        } catch {
            #expect(error.message.contains("nested"), "\(error)")
        }
        let objects = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON(parsing: objects) }
    }

    /// `1e400` was sent as `null`, `18446744073709551616` as `1.8446744073709552e+19`, `-0.0` as `0.0` and a
    /// lone surrogate as U+FFFD. Now each is kept exactly or refused with an error that says where.
    @Test func numbersAreKeptExactlyOrRefused() throws {
        for text in ["1e400", "-1e400", "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890"] {
            do {
                let value = try JSON(parsing: "[1, \(text)]")
                Issue.record("\(text) was accepted as \(value.serialized())")
            } catch {
                #expect(error.offset == 4, "\(text): \(error)")
                #expect(error.message.contains("range"), "\(text): \(error)")
            }
        }
        #expect(try JSON(parsing: "-0.0").serialized() == "-0.0")
        #expect(try JSON(parsing: "18446744073709551615").serialized() == "18446744073709551615")
        #expect(try JSON(parsing: "-9223372036854775808").serialized() == "-9223372036854775808")
        #expect(try JSON(parsing: "1.5e300").serialized() == "1.5e+300")
        #expect(try JSON(parsing: "0.1").serialized() == "0.1")
        do {
            _ = try JSON(parsing: #""a\ud800b""#)
            Issue.record("a lone surrogate was accepted")
        } catch {
            #expect(error.message.contains("surrogate"), "\(error)")
        }
        #expect(try JSON(parsing: #""\ud83d\ude00""#) == "😀")
    }

    /// Decoding `JSON` through a foreign decoder (Foundation's) takes one path per value, not a chain of `try?`.
    @Test func decodesThroughFoundationExactly() throws {
        let text = #"{"b": [1, -2, 18446744073709551615, 1.5, "s", null, true], "a": {"x": {}}}"#
        let value = try JSONDecoder().decode(JSON.self, from: Data(text.utf8))
        #expect(value == (try JSON(parsing: text)))
    }
}
